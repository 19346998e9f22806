"""Pydantic's validation errors in the user's words: file, line, key and a sentence.

Both the scenario schema and the outcomes file validate YAML read by
:mod:`sim.io.safe_yaml`, whose mappings remember the line of every key; this
turns the first error pydantic reports into an :class:`~sim.errors.InputError`
pointing at that line, with a did-you-mean for unknown keys.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import InputError, closest, did_you_mean
from .safe_yaml import LDict, as_written, blame, date_problem, location


class Conflict(ValueError):  # noqa: N818 - read as "raise Conflict(...)": a value error between keys
    """A model validator's error between two or more of its keys (``end`` and ``start``): :func:`explain` points at
    the key the user changed (the first, unless a file further down an ``extends`` chain set another)."""

    def __init__(self, message: str, *keys: str) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class TaggedUnion:
    """A discriminated union as users write it: the key naming the branch, and the branches.

    Attributes:
        noun: what one item is called ("event", "outcome").
        key: the key whose value picks the branch ("type", "kind").
        models: the branch models by that value.
    """

    noun: str
    key: str
    models: Mapping[str, type[BaseModel]]


def first_error(errors: list[dict]) -> dict:
    """The error to report of pydantic's list: the first, except that a required key reported missing next to an unknown
    key that is a near-miss of it (``sourc`` for ``source``) is reported as that unknown key, at its own line, with a
    did-you-mean: the user wrote the key, misspelt."""
    first = errors[0]
    if first["type"] == "missing":
        parent, wanted = first["loc"][:-1], str(first["loc"][-1])
        for other in errors:
            if (other["type"] == "extra_forbidden" and other["loc"][:-1] == parent
                    and closest(str(other["loc"][-1]), [wanted]) == wanted):
                return other
    return first


def explain(error: dict, tree: LDict | None, fallback: str | Path | None, *, root: type[BaseModel], union: TaggedUnion,
            prefix: tuple = ()) -> InputError:
    """The :class:`InputError` for one pydantic error (an item of ``ValidationError.errors()``).

    Args:
        error: the pydantic error.
        tree: the YAML that was validated (for file and line), or None.
        fallback: the file to name when the tree does not know one.
        root: the model validating ``tree`` (for did-you-mean on unknown keys).
        union: the tagged union inside it (its branch names are not keys the user wrote).
        prefix: where in ``tree`` the validated value sits, when only part of it was validated.
    """
    loc = (*prefix, *error["loc"])
    kind = error["type"]
    note, cause = "", error.get("ctx", {}).get("error")
    if kind == "value_error" and isinstance(cause, Conflict):  # a rule between keys: the key, not the mapping holding them
        paths = [(*loc, key) for key in cause.keys]
        loc, note = blame(tree, *[keys_written(p, union) for p in paths]) if tree is not None else (paths[0], "")
    if kind == "union_tag_invalid":  # at the tag's own line and key (type: offensiv), not the item's first line
        loc = (*loc, union.key)
    wrong_key = loc[-1:] == ("[key]",)  # pydantic's marker for a mapping's key (compliance: {hst: ...}), not a key written
    if wrong_key:
        loc = loc[:-1]
    file, line = location(tree, keys_written(loc, union)) if tree is not None else (None, None)
    if wrong_key and kind == "literal_error":  # a mapping keyed by fixed names: as an unknown key of a model reads
        valid = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        message = f"unknown key '{loc[-1]}'" + did_you_mean(str(loc[-1]), valid)
    elif kind == "extra_forbidden":
        field = str(loc[-1])
        model = model_at(root, loc[:-1], union)
        message = f"unknown key '{field}'" + did_you_mean(field, model.model_fields if model else ())
    elif kind == "union_tag_invalid":
        tag = error["input"].get(union.key)
        message = f"unknown {union.noun} {union.key} {tag!r}" + did_you_mean(str(tag), union.models)
    elif kind == "union_tag_not_found":
        message = f"every {union.noun} needs a '{union.key}' (one of: {', '.join(union.models)})"
    elif kind == "missing":
        message = f"missing required key '{loc[-1]}'"
    elif kind.startswith("date_") and not isinstance(error.get("input"), dict | list | bool):
        message = date_problem(error.get("input")) or error["msg"]  # pydantic's "input is too short" of 2020-6-1
    elif kind == "string_pattern_mismatch" and loc[-1:] == ("name",):  # the regular expression spoke to programmers
        first = " and begin with a letter or a digit" if "^[A-Za-z0-9][" in str(error["ctx"]["pattern"]) else ""
        message = (f"a name may hold only letters, digits, '_', '.' and '-'{first} (it names the results folder), "
                   f"got {short_repr(error['input'])}")
    elif kind in WANTED:
        written = as_written(tree, loc, file)  # an item of a merged list by its place in the file (events[0], not [35])
        message = wrong_kind(error["input"], str(loc[-1]) if isinstance(loc[-1], str) else key_path(written, union), WANTED[kind])
    elif kind == "value_error" and "error" in error.get("ctx", {}):
        message = str(error["ctx"]["error"]) + note  # our own validators' words, without pydantic's "Value error, "
    else:
        message = error["msg"][0].lower() + error["msg"][1:]
        if "input" in error and not isinstance(error["input"], dict | list):
            message += f" (got {short_repr(error['input'])})"
    return InputError(file or fallback, message, line=line, key=key_path(as_written(tree, loc, file), union) or None)


WANTED = {"int_type": "a whole number", "float_type": "a number", "bool_type": "true or false"}  # strict types' errors
# A block or a list is a kind of value too: pydantic named the class the block is read into ("a valid dictionary or
# instance of TurkeyParams (got None)" for a `turkey:` left empty).
MAPPING = "a mapping of keys to values"
WANTED |= {"model_type": MAPPING, "model_attributes_type": MAPPING, "dict_type": MAPPING, "list_type": "a list",
           "string_type": "text"}


def wrong_kind(given: Any, name: str, wanted: str) -> str:  # noqa: ANN401 - whatever the file held
    """Why ``given`` is not what the key ``name`` takes (``wanted``: a value of :data:`WANTED`), in the user's words.

    pydantic's "input should be a valid integer" did not say that ``'5'`` is text (YAML reads a quoted number as
    one), nor that ``5.0`` is not whole; and true, which it reads as 1, was said to be a number.
    """
    if isinstance(given, bool):
        return f"'{name}' is true/false, where {wanted} is wanted (YAML reads yes, no, on and off as true/false)"
    if isinstance(given, str):
        unquote = ": write it without quotes" if _reads_as(given, wanted) else ""
        return f"'{name}' is the text {short_repr(given)}, where {wanted} is wanted{unquote}"
    if isinstance(given, int | float):
        whole = f": write {int(given)}" if isinstance(given, float) and given.is_integer() and wanted == WANTED["int_type"] else ""
        return f"'{name}' is {short_repr(given)}, where {wanted} is wanted{whole}"
    what = next((words for kind, words in ((dict, "a mapping"), (list, "a list"), (type(None), "empty")) if isinstance(given, kind)),
                _with_article(type(given).__name__))  # a date; in Python, any object
    return f"'{name}' is {what}, where {wanted} is wanted"


def _with_article(noun: str) -> str:
    """``noun`` after "a" or "an": a date, an int64."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _reads_as(text: str, wanted: str) -> bool:
    """Whether ``text`` without its quotes would be what is ``wanted`` (``'5'`` a whole number, ``'true'`` a switch)."""
    if wanted == WANTED["bool_type"]:
        return text.strip().lower() in ("true", "false")
    if wanted not in (WANTED["int_type"], WANTED["float_type"]):  # '5' is no list without its quotes
        return False
    try:
        number = int(text) if wanted == WANTED["int_type"] else float(text)
    except ValueError:
        return False
    return math.isfinite(number)  # 'nan' is text in YAML either way


def keys_written(loc: tuple, union: TaggedUnion) -> tuple:
    """pydantic's location without the names of union branches and validators: the path of keys the file wrote.

    A branch name comes right after an item's index (``outcomes, 3, event, window``), and only there: an outcome of
    kind ``event`` also has a key ``event``, which the errors of its other keys were put at (line and key).
    """
    loc = tuple(part for part in loc if "function-" not in str(part))
    return tuple(part for k, part in enumerate(loc) if not (k and isinstance(loc[k - 1], int) and part in union.models))


def key_path(loc: tuple, union: TaggedUnion) -> str:
    """``events[3].date`` from pydantic's location (:func:`keys_written`)."""
    parts: list[str] = []
    for part in keys_written(loc, union):
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts)


def model_at(root: type[BaseModel], loc: tuple, union: TaggedUnion) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (for did-you-mean)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: the branch name (or the item's model) comes next
        if part in union.models:
            model = union.models[part]
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        model = _the_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _the_model(annotation: Any) -> Any:  # noqa: ANN401 - a type annotation
    """The one model in an optional field's annotation (an agreement's ``corridor: CorridorSpec | None``), else the
    annotation unchanged: an optional part's keys were not found, and an unknown key in it listed "(valid: )"."""
    models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    return models[0] if len(models) == 1 and type(None) in typing.get_args(annotation) else annotation


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to one readable line; huge integers cannot even be printed in full."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's 4,300-digit str() limit
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."
