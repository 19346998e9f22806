"""The name ``--out`` gives, checked before any work is done: what a command line may name as a results folder.

What is already at that path (a folder of the user's, another scenario's results) is judged afterwards, by
:func:`sim.io.outputs.claim_folder`; this module refuses only names no command could write to.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .files import NAME_MAX, path_blank
from .outputs import OUT


def check_out(raw: str | Path, *, default: bool = False) -> Path:
    """A results folder named on the command line (``--out``), checked before any work is done.

    Refused: an empty name, the current folder or one above it, a name too
    long for the file system, and (unless it is the default under
    ``results/``, which is created) a parent folder that does not exist.
    What is at the path itself is judged by :func:`sim.io.outputs.claim_folder`.
    """
    if blank := path_blank(str(raw)):
        raise InputError(None, f"{blank}: give the name of a new folder for the results (e.g. results/NAME)", key=OUT)
    out = Path(raw)
    here = Path.cwd().resolve()
    try:
        resolved = out.resolve()
    except (OSError, RuntimeError) as exc:
        raise InputError(out, f"cannot be used as a folder name ({exc})", key=OUT) from None
    if resolved == here or resolved in here.parents:
        raise InputError(out, "names the current folder (or one above it); give a new folder's name, e.g. results/NAME",
                         key=OUT)
    if len(out.name.encode()) > NAME_MAX:
        raise InputError(out, f"the folder name is longer than the file system allows ({NAME_MAX} bytes)", key=OUT)
    parent = out.parent
    if parent.exists() and not parent.is_dir():
        raise InputError(out, f"'{parent}' is a file, not a folder; choose another {OUT}", key=OUT)
    if not parent.exists() and not default:
        raise InputError(out, f"its parent folder '{parent}' does not exist; create it first, or choose another {OUT}",
                         key=OUT)
    return out
