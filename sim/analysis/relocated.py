"""Finding a results folder's theatre and claims record again after the checkout that wrote it has moved.

A manifest records where its run read the theatre and the claims record, as absolute paths. A folder read in
another clone, on a colleague's machine, or after the checkout was moved or renamed would otherwise be refused
("the run's theatre is not found"). The same files are looked for where a checkout keeps them (the recorded path's
tail under the working folder, then under this package's own checkout) and taken only if they are the very inputs
the run had: the manifest's ``content_hash`` covers them (:func:`sim.io.scenario.content_hash`). The files at
the recorded paths are checked so too: changed since the run (a newer theatre pulled), the run's version is looked
for in the same places, and without one they (or, moved, those found) are read on, the reader saying so if the
tables do not fit them. A manifest written since it keeps each file's SHA-256 too (``input_sha256``), by which
:func:`changed_inputs` names the files that changed; one written before has the combined hash alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from ..io.files import CHECKOUT
from ..io.scenario import file_sha256, hash_of_inputs
from ..io.theatre import load_theatre



def found_inputs(folder: Path, manifest: dict) -> dict[str, str]:
    """The manifest's ``inputs`` (``theatre``, ``claims``) as paths that exist, the recorded ones where they still do.

    Raises:
        InputError: the theatre and claims record are neither where the manifest says nor anywhere else looked.
    """
    inputs = dict(manifest["inputs"])
    claims_key = "claims" if "claims" in inputs else "seeds"  # "seeds" in folders written before it was renamed
    theatre, claims = Path(inputs["theatre"]), Path(inputs[claims_key])
    if theatre.exists() and _same_inputs(manifest, theatre, claims):
        return inputs
    moved = [(t, c) for root in (Path.cwd(), CHECKOUT) for t in _under(root, theatre) for c in _under(root, claims)]
    for moved_theatre, moved_claims in moved:
        if _same_inputs(manifest, moved_theatre, moved_claims):
            return {**inputs, "theatre": str(moved_theatre), claims_key: str(moved_claims)}
    # Changed since the run (a later round's claims record), and their version nowhere: read on them, as on those at the
    # recorded paths; a table that does not fit them is then said to be made on other inputs (inputs_changed).
    if theatre.exists():
        return inputs
    if moved:
        return {**inputs, "theatre": str(moved[0][0]), claims_key: str(moved[0][1])}
    raise InputError(folder / "manifest.json", f"the run's theatre and claims record are not found at {theatre} and "
                     f"{claims}, nor under {Path.cwd()} or {CHECKOUT}", key="inputs.theatre")


def inputs_changed(manifest: dict) -> bool:
    """Whether the theatre and claims record at the manifest's ``inputs`` are no longer those the run read (their
    content hash differs from the manifest's; a folder whose hash is not one digest tells by each file's own, if it
    has them: :func:`_same_inputs`)."""
    inputs = manifest["inputs"]
    return not _same_inputs(manifest, Path(inputs["theatre"]), Path(inputs.get("claims", inputs.get("seeds", ""))))


def changed_inputs(manifest: dict) -> list[str] | None:
    """The input files at the manifest's ``inputs`` whose content is no longer the run's, as paths (a file gone or
    unreadable followed by which), from the manifest's ``input_sha256``; None for a folder written without it.

    A theatre file is looked for by its path from the theatre's folder, so a moved checkout's own is the one checked.
    """
    recorded = manifest.get("input_sha256")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("theatre"), dict):
        return None
    inputs = manifest["inputs"]
    index = Path(inputs["theatre"])
    files = {index.parent / key: sha for key, sha in recorded["theatre"].items()}
    files[Path(inputs.get("claims", inputs.get("seeds", "")))] = recorded.get("claims")
    changed = []
    for file, sha in files.items():
        try:
            if file_sha256(file) != sha:
                changed.append(str(file))
        except InputError as exc:  # gone, or no longer a file it can read
            changed.append(f"{file} ({'gone' if not file.exists() else exc.message})")
    # The theatre's index may now name a table it did not (a posts table added): the index itself changed, named above.
    return changed


def _under(root: Path, recorded: Path) -> list[Path]:
    """The files under ``root`` that a checkout there would hold in place of ``recorded``: its last parts, all but
    the first down to two (``/old/clone/scenarios/theatres/idlib.yaml`` is looked for as
    ``scenarios/theatres/idlib.yaml``, then ``theatres/idlib.yaml``), those that exist."""
    parts = recorded.parts[1:] if recorded.is_absolute() else recorded.parts
    return [root / Path(*parts[-n:]) for n in range(len(parts) - 1, 1, -1) if (root / Path(*parts[-n:])).is_file()]


def _same_inputs(manifest: dict, theatre_file: Path, claims_file: Path) -> bool:
    """Whether these files, with the manifest's resolved scenario, give its ``content_hash``.

    A folder whose hash is not one digest (an ensemble across a parameter set records one a replicate) is checked by
    each file's own hash (``input_sha256``) where its manifest has them; one written before them cannot be checked:
    its files are taken if the theatre loads, and reading its tables then checks the towns and posts.
    """
    recorded = str(manifest.get("content_hash", ""))
    if not re.fullmatch(r"[0-9a-f]{64}", recorded):
        if isinstance(manifest.get("input_sha256"), dict):  # each file's own hash: the same files, or not
            these = {**manifest["inputs"], "theatre": str(theatre_file), "claims": str(claims_file)}
            return changed_inputs({**manifest, "inputs": these}) == []
        try:
            load_theatre(theatre_file)
        except InputError:
            return False
        return True
    try:
        files = [*load_theatre(theatre_file).files, claims_file]
        canonical = json.dumps(manifest["parameters"], sort_keys=True, separators=(",", ":"))  # as Scenario.canonical_json
        return hash_of_inputs(canonical, files) == recorded
    except (InputError, OSError, KeyError, TypeError, ValueError):  # a file gone or unreadable, no parameters
        return False
