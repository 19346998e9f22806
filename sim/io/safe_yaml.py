"""Safe YAML loading that remembers where every key came from.

Scenario files are shared between researchers, so loading is strict: only
plain YAML (no tags that build Python objects, no aliases, no duplicate keys),
UTF-8 only. Every mapping and list remembers the file and line of each of its
entries, so that a schema error deep inside a merged ``extends`` chain can
still point at the line a user has to fix.
"""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, shown_path
from .files import read_input


class LDict(dict):
    """A dict that knows the file and line of each key."""

    def __init__(self, *args: Any, file: str = "", line: int | None = None) -> None:
        super().__init__(*args)
        self.file = file
        self.line = line
        self.lines: dict[Any, tuple[str, int]] = {}
        # The files that wrote this mapping, the one extended first (:func:`sim.io.extends.resolve` sets a scenario's),
        # so that an error between two values can point at the one the user changed (:func:`blame`).
        self.chain: tuple[str, ...] = (file,) if file else ()

    # A scenario's events that ``remove_events`` dropped, with where it says so: (id, event, file, line) each
    # (set by :func:`sim.io.extends.resolve`), so that an inherited event left without them can name that line.
    removed: tuple[tuple[str, Any, str, int], ...] = ()
    # Each ``name:`` a scenario's extends chain gives, with its file, the one extended first (set by
    # :func:`sim.io.extends.resolve`), so that a what-if taking the name of one further up is refused.
    names: tuple[tuple[Any, str], ...] = ()


class LList(list):
    """A list that knows the file and line of each item."""

    def __init__(self, *args: Any, file: str = "", line: int | None = None) -> None:
        super().__init__(*args)
        self.file = file
        self.line = line
        self.lines: list[tuple[str, int]] = []
        # Each item's index in the list of every file that wrote part of it, where files merge theirs (``extends``).
        self.origin: list[dict[str, int]] | None = None

    def origins(self) -> list[dict[str, int]]:
        """:attr:`origin`, or for a list one file wrote, each item's own index there."""
        return self.origin if self.origin is not None else [{file: i} for i, (file, _) in enumerate(self.lines)]


# libyaml's parser, where PyYAML has it: some eight times faster than the pure-Python one (0.03 s
# against 0.23 for the claims record, which every command that loads a scenario reads).
_LIBYAML = getattr(yaml, "CSafeLoader", None)


class _AliasFound(yaml.YAMLError):
    """libyaml composed an alias, which only the pure-Python composer can refuse with its line."""


def _loader_for(path: str, base: type = yaml.SafeLoader) -> type:
    class Loader(base):
        def construct_object(self, node, deep=False):  # noqa: ANN001, ANN201, FBT002 - PyYAML hook
            # A node built before, or being built, is reached again only through an alias.
            if node in self.constructed_objects or node in self.recursive_objects:
                raise _AliasFound
            return super().construct_object(node, deep=deep)

        def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML hook (the pure-Python composer calls it)
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise InputError(
                    path,
                    "YAML aliases (*name) are not allowed in the project's files; write the value out",
                    line=mark.line + 1,
                )
            return super().compose_node(parent, index)

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LDict:
        out = LDict(file=path, line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            # Huge integer keys are refused too: Python cannot even print them.
            if not isinstance(key, str | int) or (isinstance(key, int) and key.bit_length() > 64):
                shown = "a huge integer" if isinstance(key, int) else repr(key)[:60]
                raise InputError(path, f"mapping keys must be plain names, not {shown}", line=line)
            if key in out:
                error = InputError(path, f"duplicate key '{key}'", line=line, key=str(key))
                error.yaml_path = (key,)  # named in full on the way out, as a bad value is (:func:`_under`)
                raise error
            with _under(key):
                out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = (path, line)
        return out

    def construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LList:
        out = LList(file=path, line=node.start_mark.line + 1)
        for i, item in enumerate(node.value):
            with _under(i):
                out.append(loader.construct_object(item, deep=True))
            out.lines.append((path, item.start_mark.line + 1))
        return out

    def construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
        # Python refuses to convert decimal integers of more than 4,300 digits
        # (a guard against quadratic-time parsing); say so instead of crashing.
        try:
            return yaml.SafeLoader.construct_yaml_int(loader, node)
        except ValueError:
            if isinstance(node.value, str) and len(node.value) > 4000:
                raise InputError(path, "number too long", line=node.start_mark.line + 1) from None
            raise

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    for tag, construct in list(Loader.yaml_constructors.items()):
        Loader.add_constructor(tag, _guarded(construct, path))
    return Loader


def date_problem(text: object) -> str | None:
    """Why ``text`` is not a date as the simulator reads them (YYYY-MM-DD), in a sentence that names it; None if it is
    one. The day that does not exist is said so ("2020-02-30 does not exist: February 2020 has 29 days"), a date written
    without its zeros is shown with them: pydantic said "input is too short" of 2020-6-1, and a flag "not a date"."""
    written = str(text).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", written)
    example = "write dates as YYYY-MM-DD, e.g. 2020-06-01"
    if m is None:
        shown = written if len(written) <= 40 else written[:37] + "..."
        return f"'{shown}' is not a date: {example}"
    year, month, day = (int(g) for g in m.groups())
    if year < 1 or not 1 <= month <= 12:
        return f"{written} is not a date: there is no {'year 0' if year < 1 else f'month {month}'} ({example})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{written} does not exist: {calendar.month_name[month]} {year} has {days} days"
    if len(m[2]) < 2 or len(m[3]) < 2:
        return f"'{written}' is not a date as written: write dates as YYYY-MM-DD, here {year:04}-{month:02}-{day:02}"
    return None


# What a user reads for each standard tag whose value cannot be built.
_TAG_NAMES = {"int": "whole number", "float": "number", "bool": "boolean (true or false)", "timestamp": "date",
              "binary": "base64 value", "map": "mapping", "seq": "list", "set": "set", "omap": "ordered mapping",
              "pairs": "list of pairs", "null": "null", "str": "string"}


def _guarded(construct, path: str):  # noqa: ANN001, ANN202 - a PyYAML constructor and its wrapper
    """``construct``, turning what PyYAML raises from inside it for a bad value (an explicit tag such as
    ``!!int abc``, an impossible date such as 2020-02-30) into an :class:`InputError` at the value's line."""

    def run(loader: yaml.SafeLoader, node: yaml.Node) -> Any:  # noqa: ANN401 - whatever the tag builds
        try:
            return construct(loader, node)
        except (InputError, yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - ValueError, KeyError, TypeError, AttributeError, OverflowError, ...
            tag = str(node.tag).rsplit(":", 1)[-1]
            what = _TAG_NAMES.get(tag, f"'{node.tag}' value")
            if isinstance(node, yaml.ScalarNode):
                value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                reason = f" ({exc})" if tag == "timestamp" and isinstance(exc, ValueError) and len(str(exc)) < 80 else ""
                message = f"'{value}' is not a valid {what}{reason}"
                if tag == "timestamp" and (problem := date_problem(node.value)):
                    message = problem  # 2020-02-30: "February 2020 has 29 days" (datetime said "day is out of range for month")
            else:
                message = f"a {node.id} cannot be read as a {what}"
            error = InputError(path, message, line=node.start_mark.line + 1)
            error.yaml_path = ()  # the keys holding the value, filled in on the way out (:func:`_under`)
            raise error from None

    return run


@contextlib.contextmanager
def _under(part: str | int) -> Iterator[None]:
    """Prefix ``part`` (a key, or a list index) to the key of a bad value's :class:`InputError` raised inside: an
    impossible date (``effective: 2020-02-30``) named its line but not its key (``events[0].effective``)."""
    try:
        yield
    except InputError as exc:
        if (inner := getattr(exc, "yaml_path", None)) is not None:
            exc.yaml_path = (part, *inner)
            exc.key = "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(exc.yaml_path))
        raise


YAML_LIMIT = 8 * 2**20  # scenario, theatre and claims YAML are a few kB; no hand-written one nears this


def load_yaml(path: str | Path) -> LDict:
    """Load one YAML file whose top level is a mapping.

    Raises:
        InputError: unreadable, not UTF-8, empty, not YAML, or not a mapping.
    """
    path = Path(path)
    name = str(path)
    if path.suffix.lower() == ".csv":  # read as YAML a table said "line 2: a 'key: value' where none can be", or "mapping"
        raise InputError(name, "a CSV table, not one of the simulator's YAML files (a scenario, sweep, calibration, "
                               "outcomes or claims file): a table is read through what names it, a sweep's points "
                               "with --design (python -m sim sweep SCENARIO --design POINTS.csv) or a sweep file's "
                               "'design:', a theatre's tables through its index")
    raw = read_input(path, YAML_LIMIT)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(name, "file is not valid UTF-8 text", line=line) from None
    if not text.strip():
        raise InputError(name, "file is empty")
    try:
        data = _parse(text, name)
    except yaml.MarkedYAMLError as exc:
        # An unclosed '{', '[' or quote, or a key without its ':', is found only on a later line (past the end, even),
        # which holds nothing wrong: the context's mark is where the bracket, quote or key the user must fix begins.
        opened = exc.context_mark is not None and (exc.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted scalar", "while scanning a simple key"))
        mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
        problem = _in_plain_words(exc.problem or "", exc.context or "")
        if "could not determine a constructor" in str(exc):
            problem = "YAML tags that build objects are not allowed"
        raise InputError(name, problem, line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, found before parsing: it has no mark, only a position
        line = text[: exc.position].count("\n") + 1
        what = "a control character" if unicodedata.category(chr(exc.character)) == "Cc" else "a character"  # or U+FFFE
        raise InputError(name, f"{what} (U+{exc.character:04X}) that YAML does not allow in a file: "
                               "remove it, or write it as an escape inside double quotes", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(name, f"invalid YAML ({exc})") from None
    except RecursionError:
        raise InputError(name, "nesting is too deep") from None
    if not isinstance(data, LDict):
        raise InputError(name, "the top level must be a mapping of keys to values", line=1)
    return data


def _in_plain_words(problem: str, context: str) -> str:
    """What the parser's ``problem`` (``expected <block end>, but found '<block mapping start>'``) means to whoever
    wrote the file; a problem not recognised is given as the parser says it."""
    if problem.startswith("expected <block end>"):
        return ("this line's indentation does not fit the lines above it: the keys of one mapping, and the '- ' items "
                "of one list, start in the same column, each level indented further than the one holding it")
    if problem == "mapping values are not allowed here":
        return ("a 'key: value' where none can be: the line is indented deeper than the line above allows, or a value "
                "holding ': ' needs quotes")
    if "'\\t'" in problem or "'\t'" in problem:
        return "a tab character: indent with spaces only"
    if problem == "could not find expected ':'":
        return "a key without its ':' (or a value broken across lines): write 'key: value'"
    for opening, closing in (("{", "}"), ("[", "]")):
        if problem.startswith(f"expected ',' or '{closing}'"):
            return f"a '{opening}' is not closed by '{closing}' (or its items are not separated by commas)"
    if "quoted scalar" in context and "end of stream" in problem:
        return "a quoted value is never closed: a quote (\" or ') is missing"
    return f"not valid YAML ({problem or context or 'unreadable'})"


def _parse(text: str, name: str) -> Any:  # noqa: ANN401 - whatever the YAML holds
    """``text`` parsed by libyaml where it can be, else by the pure-Python parser, to the same result.

    Text that holds an alias (a node reached a second time while the values
    are built), or that libyaml refuses, is parsed again by the pure-Python
    parser, whose composer refuses aliases at their own line, so that errors
    read as they always have. The constructors, which build the values and
    check keys and tags, are the same Python code with either parser.
    """
    if _LIBYAML is not None:
        try:
            return yaml.load(text, Loader=_loader_for(name, _LIBYAML))  # noqa: S506 - CSafeLoader subclass
        except yaml.YAMLError:  # an alias (_AliasFound) among them
            pass
    return yaml.load(text, Loader=_loader_for(name))  # noqa: S506 - SafeLoader subclass


def as_written(tree: Any, path: tuple, file: str | None) -> tuple:
    """``path`` with each list index replaced by the item's index in the list ``file`` wrote (files that
    ``extends`` another merge their events: the merged index means nothing to whoever wrote either file)."""
    out, node = [], tree
    for part in path:
        if isinstance(node, LList) and isinstance(part, int) and 0 <= part < len(node):
            out.append(node.origin[part].get(file, part) if node.origin is not None else part)  # one file: as written
            node = node[part]
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(out)


def location(tree: Any, path: tuple) -> tuple[str | None, int | None]:
    """The file and line of the deepest entry of ``tree`` on ``path`` that is known."""
    file, line = getattr(tree, "file", None), getattr(tree, "line", None)
    node = tree
    for part in path:
        if isinstance(node, LDict) and part in node:
            file, line = node.lines[part]
            node = node[part]
        elif isinstance(node, LList) and isinstance(part, int) and 0 <= part < len(node):
            file, line = node.lines[part]
            node = node[part]
        # Parts that are not in the data (a union's tag name) are skipped.
    return file, line


def blame(tree: Any, first: tuple, *others: tuple) -> tuple[tuple, str]:
    """Which of values judged together (an event's date and its 'effective') an error points at, and where the rest are.

    ``first`` unless one of ``others`` was set by a file further down the ``extends`` chain (:attr:`LDict.chain`):
    that is the value the user changed, the other having come from the file they extended. A value no file set (a
    command-line override) counts as the latest.

    Returns:
        The path to point at, and a note naming the file and line of each other value set in another file
        (" ('effective' is set in a.yaml, line 59)"), or "".
    """
    chain = getattr(tree, "chain", ())

    def rank(path: tuple) -> int:
        file = location(tree, path)[0]
        return chain.index(file) if file in chain else len(chain)

    at = max((first, *others), key=rank)  # the first of the latest
    file, line = location(tree, at)
    notes = []
    for path in (first, *others):
        other_file, other_line = location(tree, path)
        if path != at and line is not None and other_line is not None and other_file != file:
            notes.append(f"'{path[-1]}' is set in {shown_path(other_file)}, line {other_line}")
    return at, f" ({'; '.join(notes)})" if notes else ""
