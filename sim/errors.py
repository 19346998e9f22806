"""The exceptions users see, and how the command line reports them.

- :class:`InputError`: bad input (a file, a value, a command-line flag), or a
  ``--out`` the simulator refuses to write into; one paragraph, exit status 2.
  :func:`flag` names what is a flag on the command line and an argument in Python,
  :data:`AGAIN` how to go on after a stop, and :data:`PARAMETERS` what lists a scenario's parameters; ``str()``
  says them as Python does, ``on_command_line()`` as the command line does.
- :class:`DamagedResult`: a results file that is missing, cut short or
  altered; named, never counted; exit status 2.
- :class:`OutputError`: the system refused to write (a full disk, a
  read-only folder); one line, exit status 1.
- :class:`Interrupted`: an ensemble or sweep stopped by Ctrl-C or SIGTERM,
  its finished work kept; exit status 130.

Every one of them survives pickling (a worker process raises it, the parent
reports it): :meth:`_Picklable.__reduce__` rebuilds it from its attributes,
whatever its constructor's signature.
"""

from __future__ import annotations

import difflib
import re
import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path


def _rebuild(cls: type, args: tuple, state: dict) -> Exception:
    exc = cls.__new__(cls)
    Exception.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc


class _Picklable(Exception):
    def __reduce__(self) -> tuple:
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class InputError(_Picklable):
    """A scenario, theatre, claims or outcomes file, a value or a flag that cannot be used as written.

    The CLI prints it as one paragraph and exits with status 2.

    Code that serves both the command line and Python (the writers, the maps, sweeps, reports) names the value by
    :func:`flag`, as the key and in the message: ``str()`` shows it as the Python argument (``out='mine': ...; choose
    another out=``), and the CLI prints :meth:`on_command_line`, which shows it as the flag (``--out mine: ...; choose
    another --out``).

    The attribute ``key`` holds what the error names, as the caller gave it: a dotted key path in a file
    (``events[3].date``), a flag of the command line alone (``--seed``), or a Python argument (``seed``, ``out``,
    ``metrics``), which is what a name given by :func:`flag` reads as (its flag is for :meth:`on_command_line`).

    Args:
        file: the offending file (None for a command-line flag or a value given in Python).
        message: what is wrong, in a sentence.
        line: 1-based line number in ``file`` where known.
        key: dotted key path (``events[3].date``) where known, the flag (``--seed``), or :func:`flag`'s name.
    """

    def __init__(
        self,
        file: str | Path | None,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.message = message
        self.line = line
        self.key = key
        super().__init__(str(self))

    @property
    def key(self) -> str | None:
        """What the error names (see the class's docstring): a name given by :func:`flag` reads as the Python argument."""
        named = _FLAG.fullmatch(self._key) if self._key else None
        return self._key if named is None else named["python"] or named["flag"]

    @key.setter
    def key(self, key: str | None) -> None:
        self._key = key  # as given: a name by flag() keeps its flag, for on_command_line()

    def __str__(self) -> str:
        return self._said(command_line=False)

    def on_command_line(self, *, default_out: str | Path | None = None) -> str:
        """The error as the command line says it: :func:`flag`'s names are the flags (``--out``).

        Args:
            default_out: the folder the command chose itself, no ``--out`` having been given (``results/<name>...``).
                An error about it, or about what is in it, names it as the default and says to give ``--out``: it read
                "--out results/x: ...; choose another --out" to a user who had typed no ``--out``.
        """
        return self._said(command_line=True, default_out=default_out)

    def _said(self, *, command_line: bool, default_out: str | Path | None = None) -> str:
        key = self._key
        named = _FLAG.fullmatch(key) if key is not None else None
        # About what the command writes there, not what it reads: compare, plot and map write into the results folder
        # they read, whose damaged manifest "write the results again with another --out" is about run's --out.
        in_default = (named is not None and named["flag"] == "out" and default_out is not None and self.file is not None
                      and _within(self.file, default_out))
        message = self.message.replace(f"another {_OUT}", f"another folder with {_OUT}") if in_default else self.message
        message = in_words(message, command_line=command_line)
        if in_default:
            the_folder = Path(os.path.abspath(self.file)) == Path(os.path.abspath(default_out))  # not a file in it
            return f"{'the default output folder ' if the_folder else ''}{shown_path(self.file)}: {message}"
        if named is not None:
            key = _said_flag(named, command_line=command_line, tail="")
        if self.file is None:  # a flag (--seed) or a value given in Python (seed)
            if not key:
                return message
            return f"{key}: {message}" if key.startswith("--") else f"'{key}': {message}"
        if key and key.startswith("--") and named is not None and named["about"]:
            # The flag applies to the folder, it does not name it: "--where results/s: no metric" read as if the folder
            # had been the condition.
            return f"{shown_path(self.file)}, {key}: {message}"
        if key and key.startswith("--"):  # a flag naming a file or folder: "--out results/x: ..."
            return f"{key} {self.file}: {message}"
        if named is not None and named["about"]:  # an argument saying what to do with the file: "s, argument 'metrics': ..."
            return f"{shown_path(self.file)}, argument '{key}': {message}"
        if named is not None:  # the argument naming it, as the call gave it: "out='results/x': ..."
            return f"{key}={self.file!r}: {message}"
        where = shown_path(self.file)
        if self.line is not None:
            where += f", line {self.line}"
        if self.key:
            where += f", key '{self.key}'"
        return f"{where}: {message}"


_FLAG = re.compile(r"\{(?P<about>@?)--(?P<flag>[a-z][a-z0-9_]*)(?:\|(?P<python>[a-z_][a-z0-9_.]*))?(?: (?P<value>[^{}]+))?\}")
AGAIN = "{again}"  # how to go on after a stop: "run the same command again", or "call it again with the same arguments"
PARAMETERS = "{parameters}"  # what lists a scenario's parameters: "python -m sim check SCENARIO --parameters", or sim.parameters


def _within(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or lies in it, as written (``results/x`` and ``/here/results/x`` alike)."""
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return path == folder or folder in path.parents


def flag(name: str, value: object = None, *, python: str | None = None, about_file: bool = False) -> str:
    """How an error names a value that is the flag ``--name`` on the command line and the argument ``name`` in Python
    (``out``), as its key and in its message: ``{--name}``, which :class:`InputError` shows as the one or the other (a
    refusal from ``sim.write_run(result, "mine")`` said "choose another --out" to a caller who had given no flag).

    Args:
        name: the flag's name with ``_`` for ``-`` (``param_set`` is ``--param-set``), and the argument's.
        value: the flag with it: ``--seed 40``, or ``seed=40``.
        python: the argument's name where it is not the flag's (``metrics`` of ``--metric``, ``spec.runs``).
        about_file: as a key, the error's file is not this argument's value but the file it applies to (a sweep
            folder's ``--metric``): ``results/s, argument 'metrics': ...``, where ``out`` reads ``out='results/s': ...``.
    """
    return ("{" + "@" * about_file + "--" + name + (f"|{python}" if python else "")
            + (f" {value}" if value is not None else "") + "}")


_OUT = flag("out")


def check_switch(value: object, key: str) -> bool:
    """``value``, a keyword of the Python API that turns something on or off, if it is True or False.

    Python takes any value as true or false: ``check_invariants="no"`` ran with the checks on, and 0 or None with them
    off, without a word (numpy's bool is refused too: ``bool(x)`` says which is meant).

    Raises:
        InputError: naming the keyword ``key``.
    """
    if not isinstance(value, bool):
        raise InputError(None, f"must be True or False (got {value!r})", key=key)
    return value


_NUMBER = re.compile(r"-?[0-9][0-9_,.]*")  # a value said as it is in Python too (a word is quoted)


def _said_flag(named: re.Match, *, command_line: bool, tail: str = "=") -> str:
    """One of :func:`flag`'s names, said: ``--param-set 3`` on the command line, ``param_set=3`` in Python."""
    value = named["value"]
    if command_line:
        return "--" + named["flag"].replace("_", "-") + (f" {value}" if value is not None else "")
    if value is not None and not _NUMBER.fullmatch(value):  # a word as Python writes it: executor='local', not executor=local
        value = repr(value)
    return (named["python"] or named["flag"]) + tail + (value or "")


def check_loaded(value: object, kind: type, loader: str) -> None:
    """Refuse, naming the argument ``spec``, a ``value`` that is not the ``kind`` that ``loader`` returns.

    Given a file's path, the sweep and calibration runners failed deep inside ("'str' object has no attribute
    'replicate_seed'"); the refusal says which function reads the file.

    Raises:
        InputError: ``value`` is not a ``kind``.
    """
    if isinstance(value, kind):
        return
    hint = f": read the file with {loader}({str(value)!r}) first" if isinstance(value, str | os.PathLike) else ""
    raise InputError(None, f"needs the {kind.__name__} that {loader}(path) returns, not a {type(value).__name__}{hint}",
                     key="spec")


def in_words(text: str, *, command_line: bool) -> str:
    """``text`` with :func:`flag`'s names, :data:`AGAIN` and :data:`PARAMETERS` said as the command line or Python says them."""
    again = "run the same command again" if command_line else "call it again with the same arguments"
    listing = "python -m sim check SCENARIO --parameters" if command_line else "sim.parameters(scenario)"
    text = _FLAG.sub(lambda named: _said_flag(named, command_line=command_line), text)
    return text.replace(AGAIN, again).replace(PARAMETERS, listing)


def shown_path(file: str) -> str:
    """``file`` relative to the working folder when it lies inside it: files are read by their resolved path, and a
    user who typed ``mine/t7.yaml`` should read that back, not ``/home/.../mine/t7.yaml``."""
    path = Path(file)
    if not path.is_absolute():
        return file
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:  # elsewhere (another folder, a temporary one): the full path says where
        return file


class DamagedResult(InputError):
    """A results file that is missing, empty, cut short or altered since it was written.

    Resuming reruns the damaged replicate or batch; reading for analysis
    stops with this error (exit status 2), naming the file.
    """


class OutputError(_Picklable):
    """The system refused to write a result (no space, no permission, a name too long): exit status 1."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {self.path}: {reason}")


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The one of ``choices`` most like ``word`` (difflib's similarity ratio, at least ``cutoff``; of equally close
    ones, the last in sorted order), or None: the one matcher of every "did you mean" (:func:`did_you_mean`, and
    :func:`sim.io.files.near_miss` for a misspelt file name)."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or a list of valid names when nothing is close (nothing when there are none:
    an empty "(valid: )" reads as a bug)."""
    choices = sorted(set(choices))
    if not choices:
        return ""
    guess = closest(word, choices)
    if guess is not None:
        return f" (did you mean '{guess}'?)"
    if len(choices) <= 12:
        return f" (valid: {', '.join(choices)})"
    return ""


def close_or_grouped(word: str, choices: Iterable[str], how_to_list: str) -> str:
    """A ' (did you mean 'x'?); <how_to_list>' suffix when one of ``choices`` is close, else the names, of which most are
    per item (``met:<id>``, ``day:<id>``): the plain ones listed and the rest counted by what comes before their ':' (a
    sweep's 344 metrics on one line were a wall of text after which the user still did not know what to type). Nothing
    when there are no choices."""
    choices = list(dict.fromkeys(choices))
    guess = did_you_mean(word, choices)
    if guess.startswith(" (did you mean") or not choices:
        return f"{guess}; {how_to_list}" if choices else ""
    plain = [c for c in choices if ":" not in c]
    families: dict[str, int] = {}
    for c in choices:
        if ":" in c:
            families[c.split(":")[0]] = families.get(c.split(":")[0], 0) + 1
    text = f"; valid: {', '.join(plain)}"
    if families:
        text += ", and per item: " + ", ".join(f"{k}:<id> ({n})" for k, n in families.items())
    return f"{text}; {how_to_list}"


def extra_missing(extra: str, what: str, missing: Iterable[str]) -> InputError:
    """The error for an optional extra that is not installed: what needs it, what is missing, and the command that
    installs it (the CLI prints it as one line, exit status 2, not a traceback)."""
    return InputError(None, f"{what} needs the '{extra}' extra ({', '.join(missing)} missing): pip install -e '.[{extra}]'")


def missing_modules(modules: Iterable[str]) -> list[str]:
    """Those of ``modules`` (dotted names allowed) that cannot be imported here, without importing any."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a dotted name whose parent is missing; a module without a spec
            found = False
        if not found:
            missing.append(name)
    return missing


def require_extra(extra: str, what: str, modules: Iterable[str]) -> None:
    """Raise :func:`extra_missing` if any of ``modules`` (dotted names allowed) cannot be imported here."""
    missing = missing_modules(modules)
    if missing:
        raise extra_missing(extra, what, missing)


class Interrupted(_Picklable):
    """An ensemble or sweep was stopped (Ctrl-C, SIGTERM) before it finished; what finished is kept.

    The CLI says what was written and what to do next (:attr:`advice`), and
    exits with status 130.

    Args:
        out: the ensemble or sweep folder.
        finished: replicates (or runs) finished and kept.
        total: how many were asked for.
        unit: what is counted ("replicates", "runs").
        where: the folder holding them (default: ``out``).
        advice: what to do next, if not to run the same command again; :data:`AGAIN` and :func:`flag`'s names in it
            are said as Python says them by :attr:`advice`, as the command line does by :meth:`on_command_line`.
    """

    _advice = f"{AGAIN} to finish the rest"

    def __init__(self, out: Path, finished: int, total: int, *, unit: str = "replicates", where: Path | None = None,
                 advice: str | None = None) -> None:
        self.out, self.finished, self.total, self.unit = Path(out), finished, total, unit
        self.where = Path(where) if where is not None else self.out
        if advice is not None:
            self._advice = advice
        super().__init__(f"{finished} of {total} {unit} finished and kept in {self.where}")

    @property
    def advice(self) -> str:
        """What to do next, said to a Python caller ("call it again with the same arguments to finish the rest")."""
        return in_words(self._advice, command_line=False)

    def on_command_line(self) -> str:
        """What was kept and what to do next, as the command line says it ("...; run the same command again ...")."""
        return f"{self}; {in_words(self._advice, command_line=True)}"
