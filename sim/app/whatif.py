"""Settings saved as a what-if file: a few lines that ``extends`` the scenario, as the what-ifs are written.

The file says only what the settings change — the toggled events under
``remove_events``, the moved parameters under ``factions``, ``combat``,
``civilians`` and ``events`` (by id) — so that ``python -m sim run`` on it
resolves the same scenario the app ran (:func:`check_saved` proves it on
every save), and what was explored can be rerun and cited.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import yaml

from ..analysis.summary import ENSEMBLE_RUNS, ensemble_seed
from ..errors import InputError
from ..io.files import write_atomic
from ..io.paths import as_kind_of, as_tree
from ..io.safe_yaml import load_yaml
from ..io.scenario import load_scenario
from ..io.schema import Scenario
from ..names import replicates
from .settings import (
    Controls,
    Settings,
    base_scenario,
    build,
    changes,
    is_whatif_file,
    overrides,
    parameter_value,
    removed_events,
    scenario_files,
)

NAME_CHARACTERS = 80  # a file name, and a what-if's name, at most
NAME = re.compile(rf"^[A-Za-z0-9_.-]{{1,{NAME_CHARACTERS}}}$")


def file_name(typed: str, limit: int | None = NAME_CHARACTERS) -> str:
    """A name as typed ('no spring shield (test)') as a usable file name ('no_spring_shield_test'): every run of
    other characters than letters, digits, _ . - becomes one '_', none at either end, cut to ``limit`` characters
    (None: not cut); '' if nothing is left."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", typed.strip()).strip("._-")[:limit].rstrip("._-")


def renaming(typed: str) -> str:
    """What :func:`file_name` did to the name ``typed``, said after the file it proposes (the hint under the name):
    '(characters other than a–z, ... become _; cut to its first 80 characters)', or '' where it kept it as typed.
    A 300-character name was cut to 80 under a hint that said only that characters become _."""
    said = []
    if file_name(typed, None) != typed.strip():
        said.append("characters other than a–z, A–Z, 0–9, _ . - become _")
    if len(file_name(typed, None)) > NAME_CHARACTERS:
        said.append(f"cut to its first {NAME_CHARACTERS} characters")
    return f" ({'; '.join(said)})" if said else ""


SLUG_CHARACTERS = 48  # the change's part of a name: a file name stays readable


def change_slug(settings: Settings) -> str:
    """The settings' changes as a short piece of a file name: the toggles by id, then each slider as path-value
    ('no-spring-shield_russia.air_power-4'); past :data:`SLUG_CHARACTERS`, the first ones and how many more."""
    parts = [*sorted(settings.toggles), *(f"{path}-{value:g}" for path, value in settings.values)]
    slug = ""
    for k, part in enumerate(parts):
        longer = f"{slug}_{part}" if slug else part
        if slug and len(longer) > SLUG_CHARACTERS:
            return file_name(f"{slug}_and-{len(parts) - k}-more")
        slug = longer
    return file_name(slug)


def default_name(settings: Settings, root: Path = Path(".")) -> str:
    """The name the settings go by in file names and the save form: the scenario's for a file as it is, else
    'whatif_', the scenario's and what the sidebar changes ('whatif_campaign_no-spring-shield'), so that a download
    says what it is of."""
    base = base_scenario(settings.scenario, root).name
    if settings.is_plain:
        return base
    return f"whatif_{base.removeprefix('whatif_')}_{change_slug(settings)}"[:NAME_CHARACTERS].rstrip("._-")


TITLE_CHARACTERS = 40  # a what-if's title in figures shares a line with ": towns held by each faction (median ...)"


def title_of(settings: Settings, controls: Controls, root: Path = Path("."), whatif_dirs: tuple[Path, ...] = ()) -> str:
    """What the settings are called in figures and headings: the scenario's name for a recorded scenario as it is,
    and for a what-if 'what-if: ' and what it changes ('what-if: No Spring Shield'), or, for a what-if file left as
    it is (:func:`~sim.app.settings.is_whatif_file`, with the app's ``whatif_dirs``), its description, as the shipped
    what-ifs are titled; never the name a what-if is saved under (``whatif_campaign_no-spring-shield``, or
    ``no_spring_shield_test`` for one typed 'no spring shield (test)', which heads its description)."""
    base = base_scenario(settings.scenario, root)
    own = [base.description.strip().rstrip(".") or base.name] if is_whatif_file(settings.scenario, root, whatif_dirs) else []
    if settings.is_plain and not own:
        return base.name
    # A what-if file changed in the sidebar: its own change first, then the sidebar's (titled by these alone, a figure
    # of jan_truce_holds.yaml with No Spring Shield ticked did not say the truce was kept in it).
    said = own + (changes(settings, controls, root, short=True) if not settings.is_plain else [])  # short: the paths alone
    text = "; ".join(said)
    if len(said) > 1 and len(text) > TITLE_CHARACTERS:  # the first cut to leave room for how many more there are
        more = f" and {len(said) - 1} more change{'s' * (len(said) > 2)}"
        text = shorten(said[0], TITLE_CHARACTERS - len(more)) + more
    return "what-if: " + shorten(text)


def shorten(text: str, limit: int = TITLE_CHARACTERS) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with '…' where it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


def rerun_command(settings: Settings, file: Path | str, root: Path = Path("."), runs: int = ENSEMBLE_RUNS) -> str:
    """The command that runs the what-if ``file`` as an ensemble of ``runs`` replicates (by default as many as a single
    run's summary suggests): from the scenario's seed, which the file keeps, or from the seed whose replicates include
    it where replicates from it would pass 2**63 - 1 (:func:`~sim.analysis.summary.ensemble_seed`)."""
    seed = ensemble_seed(base_scenario(settings.scenario, root).seed, runs)
    return f"python -m sim run {file} --runs {runs}" + ("" if seed is None else f" --seed {seed}")


def other_runs(ran: int | None) -> int | None:
    """``ran``, the replicates the page last ran of the settings (None: it ran none of them), where a rerun of the
    page's numbers needs a command of its own beside the suggested :data:`ENSEMBLE_RUNS`; else None."""
    return None if ran in (None, ENSEMBLE_RUNS) else ran


def whatif_data(settings: Settings, controls: Controls, name: str, root: Path = Path(".")) -> dict:
    """The what-if as a YAML tree (without ``extends``): name, removed events, changed parameters."""
    data: dict = {"name": name}
    removed = removed_events(settings, controls)
    if removed:
        data["remove_events"] = removed
    base = base_scenario(settings.scenario, root)
    # Each value as the parameter's kind: a whole number whole (a toggle's value is read as a float, and an integer
    # slider at its end is its float bound), where the file would say 3.0 and the simulator refuse it.
    data.update(as_tree({path: as_kind_of(parameter_value(base, path), value)
                         for path, value in overrides(settings, controls, base).items()}))
    return data


def whatif_text(settings: Settings, controls: Controls, file: Path, name: str, root: Path = Path("."),
                title: str = "", ran: int | None = None) -> str:
    """The YAML file ``file`` would hold: a header saying what changed, then the keys (``title``, the name as the
    user typed it, heads the description where it is not the file's name).

    The header's rerun command runs the suggested :data:`ENSEMBLE_RUNS` replicates; where the page ran ``ran`` other
    than those of these settings, a second gives that many, the page's numbers (rerun with 40 alone, a file saved
    after 5 gave other numbers than the page had shown).

    ``extends`` is relative to the file's folder, wherever that is, so that the file and the project can be moved
    or shared together.

    Raises:
        InputError: a name that is not usable as a file name, or settings that change nothing.
    """
    if not NAME.match(name):
        raise InputError(None, f"'{name}' is not a usable name (letters, digits, _ . - only)", key="name")
    if settings.is_plain:
        raise InputError(None, f"nothing is changed from {settings.scenario}: the file would only copy it", key="name")
    base = base_scenario(settings.scenario, root).name
    # Its runs would go to the other's folders, and be refused there; on a disk that ignores case, 'Campaign''s too.
    if name.casefold() == base.casefold():
        case = "" if name == base else f", '{base}', but for case"
        raise InputError(None, f"'{name}' is the name of the scenario it extends ({settings.scenario}{case}): choose another",
                         key="name")
    picked = (root / settings.scenario).resolve()
    try:
        parent = os.path.relpath(picked, file.resolve().parent)
    except ValueError:  # another drive (Windows): no relative path exists
        parent = str(picked)
    said = changes(settings, controls, root)
    # From the project's folder, where the app runs: the comment holds no one's home folder when the file is shared.
    rerun = file.resolve().relative_to(root.resolve()) if file.resolve().is_relative_to(root.resolve()) else file.resolve()
    folder = rerun.parent
    saved = f"Saved from the browser app (python -m sim app) on {dt.date.today().isoformat()}."
    first = title.strip() or "A what-if"
    header = [
        f"# {first}{'' if first[-1] in '.?!' else '.'} {saved}",
        f"# Changes from {settings.scenario}:",
        *(f"#   - {line}" for line in said),
        f"# Rerun: {rerun_command(settings, rerun, root)}",
        *([f"# As the app ran it ({replicates(runs)}, the page's numbers): {rerun_command(settings, rerun, root, runs)}"]
          if (runs := other_runs(ran)) else []),
        # A downloaded copy lands elsewhere (a Downloads folder), where its `extends` would name no file.
        f"# Keep it in {folder}/: its `extends` is relative to that folder.",
    ]
    data = whatif_data(settings, controls, name, root)
    heading = f"{title.strip()}: " if title.strip() and title.strip() != name else ""
    body = {"extends": parent, "name": data.pop("name"), "description": f"{heading}{settings.scenario} with: " + "; ".join(said), **data}
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def save_whatif(settings: Settings, controls: Controls, folder: Path, name: str, root: Path = Path("."),
                *, title: str = "", ran: int | None = None) -> Path:
    """Write the settings as ``folder/<name>.yaml`` (``title`` and ``ran`` as :func:`whatif_text`'s) and check that
    it loads to the scenario the app runs.

    Raises:
        InputError: a bad name, settings that change nothing, a file that exists or whose name differs from an
            existing one's only by case (see :func:`clash`), or a file that would not rerun the same.
    """
    file = Path(folder) / f"{name}.yaml"
    text = whatif_text(settings, controls, file, name, root, title, ran)
    if why := clash(file, root):
        raise InputError(file, why)
    file.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(file, text)
    try:
        check_saved(file, build(settings, controls, root, name=name))
    except InputError:
        file.unlink(missing_ok=True)
        raise
    return file


def clash(file: Path, root: Path | None = None) -> str | None:
    """Why the what-if ``file`` (named as its file: ``name: <its stem>``) cannot be saved, or None: it exists, or a file
    whose name differs from it only by case does ('campaign_x.yaml' beside 'Campaign_x.yaml'); or, given the
    project's ``root``, a scenario the picker lists (:func:`names_in_use`) has its name. On a disk that ignores case
    (macOS's, Windows') two such files are one, and a folder made elsewhere holding both cannot be copied there."""
    folder = file.parent
    names = sorted(f.name for f in folder.iterdir()) if folder.is_dir() else []
    if file.name in names:  # (a broken link too, which file.exists() denies)
        return "exists already: choose another name"
    same = [n for n in names if n.casefold() == file.name.casefold()]
    if same:
        return (f"{same[0]} is there already, and the two names differ only by case: on a disk that ignores case "
                "(macOS, Windows) they are one file. Choose another name")
    # A scenario's runs go to results/<name>-seed<seed>...: a second scenario of that name (and, being a what-if of
    # it or of its parent, mostly of its seed) would share its folders, where the command line refuses to run it.
    # By case too: a disk that ignores case holds one such folder.
    taken = names_in_use(root, folder).get(file.stem.casefold()) if root is not None else None
    if taken:
        other, path = taken
        case = "" if other == file.stem else f" ('{other}', but for case)"
        return (f"'{file.stem}' is the name of {path}{case}: the two scenarios' runs would share result folders. "
                "Choose another name")
    return None


def names_in_use(root: Path, folder: Path) -> dict[str, tuple[str, str]]:
    """The ``name:`` of every scenario the picker lists (:func:`~sim.app.settings.scenario_files`, with the what-if
    folder ``folder``), casefolded: (the name, the file as listed). A file that does not load gives the name it
    writes, if it writes one: fixed, it has that name."""
    out: dict[str, tuple[str, str]] = {}
    for path in scenario_files(root, [folder]):
        try:
            name = base_scenario(path, root).name
        except InputError:
            try:
                name = load_yaml(root / path).get("name")
            except (InputError, OSError):
                name = None
        if isinstance(name, str):
            out.setdefault(name.casefold(), (name, path))
    return out


def check_saved(file: Path, scenario: Scenario) -> None:
    """Raise InputError unless ``file`` loads to ``scenario`` (all but its name and description)."""
    if _essence(load_scenario(file)) != _essence(scenario):
        raise InputError(file, "the saved file does not resolve to the scenario the app ran (a bug: please report it)")


def _essence(scenario: Scenario) -> str:
    data = json.loads(scenario.canonical_json())
    data.pop("name"), data.pop("description")
    return json.dumps(data, sort_keys=True)
