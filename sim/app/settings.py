"""What the app's sidebar says, as plain data, and the scenario it makes.

A :class:`Settings` is a scenario file, the slider values moved away from it
(dotted parameter paths, as sweeps use them) and the event toggles that are
on. :func:`build` turns it into a validated :class:`~sim.io.schema.Scenario`
by the same steps a what-if file takes through ``extends`` (events removed
by id, then parameters set and validated), and :mod:`sim.app.whatif` writes
it as such a file. Slider ranges are read from the schema
(:func:`parameter_bounds`), so a slider cannot leave them.

No solara here: the sidebar's components (:mod:`sim.app.panels`) and the
tests share these functions.
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import InputError
from ..experiments.parameters import apply
from ..io.paths import GROUPS, declared_field, declared_range, holder
from ..io.safe_yaml import load_yaml
from ..io.scenario import load_scenario
from ..io.schema import Scenario
from ..names import DISPLAY_NAMES, date_words

CONTROLS = Path("scenarios") / "app" / "controls.yaml"
SCENARIO_DIRS = ("scenarios", "scenarios/whatif", "scenarios/calibrated")
SLIDER_STEPS = 200  # a slider's range is cut into about this many steps (a round number each)


@dataclass(frozen=True)
class Toggle:
    """An event switch: events to leave out, or values to set."""

    id: str
    label: str
    help: str = ""
    remove_events: tuple[str, ...] = ()
    set: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class SliderSpec:
    """What the controls file says of a slider beyond its path: its name in words, a caveat, and the event types
    it acts through (none: it always can)."""

    path: str
    label: str = ""
    note: str = ""
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Controls:
    """The sliders (by group) and toggles the app offers (``scenarios/app/controls.yaml``)."""

    sliders: dict[str, tuple[str, ...]]
    toggles: tuple[Toggle, ...]
    title: str = "What if?"  # the page's, from the file: the app knows no particular war
    specs: dict[str, SliderSpec] = field(default_factory=dict)  # by path

    def spec(self, path: str) -> SliderSpec:
        return self.specs.get(path, SliderSpec(path))

    def toggle(self, toggle_id: str) -> Toggle:
        return next(t for t in self.toggles if t.id == toggle_id)


def load_controls(path: str | Path = CONTROLS) -> Controls:
    """Read the controls file; every path in it must be a parameter of some scenario (checked by the tests)."""
    data = load_yaml(Path(path))
    specs = {}
    for entries in data.get("sliders", {}).values():
        for e in entries:
            spec = SliderSpec(str(e)) if not isinstance(e, dict) else SliderSpec(
                str(e["path"]), str(e.get("label", "")), " ".join(str(e.get("note", "")).split()), tuple(map(str, e.get("needs", ()))))
            specs[spec.path] = spec
    sliders = {str(group): tuple(str(p["path"]) if isinstance(p, dict) else str(p) for p in paths)
               for group, paths in data.get("sliders", {}).items()}
    toggles = tuple(
        Toggle(str(t["id"]), str(t["label"]), " ".join(str(t.get("help", "")).split()), tuple(t.get("remove_events", ())),
               tuple((str(k), float(v)) for k, v in t.get("set", {}).items()))
        for t in data.get("toggles", ())
    )
    return Controls(sliders, toggles, str(data.get("title", Controls.title)), specs)


@dataclass(frozen=True)
class Settings:
    """The sidebar: a scenario file, the sliders moved from its values, the toggles on.

    Frozen and hashable, so a page can memoise what it computes from one.
    """

    scenario: str
    values: tuple[tuple[str, float], ...] = ()
    toggles: frozenset[str] = field(default_factory=frozenset)

    @property
    def changed(self) -> dict[str, float]:
        return dict(self.values)

    def with_value(self, path: str, value: float | None) -> Settings:
        """These settings with ``path`` at ``value`` (None: back to the scenario's own value)."""
        values = {k: v for k, v in self.values if k != path}
        if value is not None:
            values[path] = value
        return replace(self, values=tuple(sorted(values.items())))

    def with_toggle(self, toggle_id: str, on: bool) -> Settings:
        return replace(self, toggles=self.toggles | {toggle_id} if on else self.toggles - {toggle_id})

    @property
    def is_plain(self) -> bool:
        """Nothing moved, nothing toggled: the scenario file as it is."""
        return not self.values and not self.toggles


# ---------------------------------------------------------------- scenarios


def scenario_files(root: Path, extra: list[Path] = ()) -> list[str]:
    """The scenarios to pick from: the recorded ones, the what-ifs, any calibrated layer, and ``extra`` folders.

    Paths are relative to ``root`` where they can be (as the command line takes them).
    """
    folders = [root / d for d in SCENARIO_DIRS] + [Path(p) for p in extra]
    out: list[str] = []
    for folder in folders:
        for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            text = relative_to_root(f, root)
            if text not in out:
                out.append(text)
    return out


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())


@functools.lru_cache(maxsize=64)
def _load(path: str, stamp: tuple) -> Scenario:
    return load_scenario(path)


def base_scenario(path: str | Path, root: Path = Path(".")) -> Scenario:
    """The scenario file as it is (cached until it, or a file it ``extends``, changes)."""
    file = root / path
    if not file.is_file():
        raise InputError(file, "no such scenario file")
    return _load(str(file), _chain_stamp(file.resolve()))


def _chain_stamp(file: Path) -> tuple:
    """Modification time and size of a scenario file and of each file up its ``extends`` chain."""
    stamps: list[tuple] = []
    while file is not None and all(file != s[0] for s in stamps):
        try:
            st = file.stat()
            stamps.append((file, st.st_mtime_ns, st.st_size))
            parent = load_yaml(file).get("extends")
        except (OSError, InputError):
            break  # loading will say what is wrong
        file = (file.parent / parent).resolve() if isinstance(parent, str) else None
    return tuple(stamps)


def parameter_value(scenario: Scenario, path: str) -> float | None:
    """The value at a dotted parameter path in ``scenario``, or None where it has none (an event it lacks)."""
    node, parts = holder(scenario.model_dump(mode="python"), path)
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, int | float) and not isinstance(node, bool) else None


def parameter_help(scenario: Scenario, path: str) -> str:
    """What a dotted parameter path sets, in words, from the schema's description (with its unit where it gives one):
    'Government: mobile strength at the start ...'; for a mapping's entry, whose ('... (here: Government)').

    Raises:
        ValueError: an event, or a block (``displaced_at_start``), the scenario does not have
            (:func:`sim.io.paths.declared_field`).
    """
    owner, info, keys = declared_field(scenario, path)
    head = path.split(".")[0]
    if head == "events":
        where = f"{getattr(owner, 'name', None) or owner.id} ({date_words(owner.date)})"
    else:
        where = head.replace("_", " ").capitalize() if head in GROUPS else DISPLAY_NAMES.get(head, head)
    text = (info.description or "").strip() or keys[0].replace("_", " ")  # no description: the key in words
    if len(keys) == 2:
        text += f" (here: {DISPLAY_NAMES.get(keys[1], keys[1])})"
    return f"{where}: {text}"


def parameter_bounds(scenario: Scenario, path: str) -> tuple[float, float, bool]:
    """(low, high, integer) of a dotted parameter path: the range the schema declares for it
    (:func:`sim.io.paths.declared_range`, which ``with_params`` and sweeps check values against too).

    Raises:
        ValueError: a switch, or a parameter with no finite bounds: neither can be a slider.
    """
    lo, hi, kind = declared_range(scenario, path)
    if kind is bool or not math.isfinite(lo) or not math.isfinite(hi):
        raise ValueError(f"'{path}' has no finite range in the schema: it cannot be a slider")
    return lo, hi, kind is int


def slider_step(lo: float, hi: float, integer: bool) -> float:
    """A round step (1, 2 or 5 x 10^k) cutting [lo, hi] into about SLIDER_STEPS steps."""
    raw = (hi - lo) / SLIDER_STEPS
    if integer:
        return max(1, round(raw))
    exp = math.floor(math.log10(raw))
    step = min((m * 10.0**exp for m in (1, 2, 5, 10) if m * 10.0**exp >= raw), default=10.0 ** (exp + 1))
    return float(f"{step:.12g}")


def snap(value: float, step: float, lo: float, hi: float) -> float:
    """``value`` on the slider's grid, inside its range, without float noise (0.30000000000000004)."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return min(hi, max(lo, round(round(value / step) * step, decimals + 1)))


@dataclass(frozen=True)
class Slider:
    """A slider as the sidebar shows it: the scenario's value, the schema's range."""

    path: str
    group: str
    value: float
    low: float
    high: float
    step: float
    integer: bool
    help: str = ""
    label: str = ""  # in plain words (the controls file's), or the path
    note: str = ""  # the controls file's caveat


def sliders_for(controls: Controls, scenario: Scenario) -> list[Slider]:
    """The sliders that apply to ``scenario``: an event slider only if it has that event, and one that acts through
    some types of event (the controls file's ``needs``) only if it has an event of one of them."""
    out = []
    types = {e.type for e in scenario.events}
    for group, paths in controls.sliders.items():
        for path in paths:
            value = parameter_value(scenario, path)
            spec = controls.spec(path)
            if value is None or not acts_with(spec, types):
                continue
            lo, hi, integer = parameter_bounds(scenario, path)
            out.append(Slider(path, group, value, lo, hi, slider_step(lo, hi, integer), integer, parameter_help(scenario, path),
                              spec.label or path, spec.note))
    return out


def acts_with(spec: SliderSpec, types: set[str]) -> bool:
    """Whether the slider can act in a scenario with events of ``types``: it needs none, or one of them."""
    return not spec.needs or bool(types & set(spec.needs))


def as_toggled(base: Scenario, settings: Settings, controls: Controls) -> Scenario:
    """``base`` without the events the settings' toggles remove (not validated again: only to read what is left)."""
    gone = set(removed_events(settings, controls))
    return base.model_copy(update={"events": [e for e in base.events if e.id not in gone]})


def toggle_available(toggle: Toggle, scenario: Scenario) -> bool:
    """Whether ``scenario`` has every event the toggle names."""
    ids = {e.id for e in scenario.events}
    return all(i in ids for i in toggle.remove_events) and all(parameter_value(scenario, p) is not None for p, _ in toggle.set)


def overrides(settings: Settings, controls: Controls, base: Scenario) -> dict[str, float]:
    """Every parameter the settings set in ``base`` (their scenario file): the sliders moved, then the toggles' values
    (which win); none of an event a toggle removes, nor of a slider that needs a type of event the toggles leave none
    of (``hts.patrol_block`` with the joint patrols removed: saved and listed, it changed nothing)."""
    out = settings.changed
    for t in controls.toggles:
        if t.id in settings.toggles:
            out.update(dict(t.set))
    gone = set(removed_events(settings, controls))
    types = {e.type for e in base.events if e.id not in gone}
    return {p: v for p, v in out.items()
            if not (p.startswith("events.") and p.split(".")[1] in gone) and acts_with(controls.spec(p), types)}


def removed_events(settings: Settings, controls: Controls) -> list[str]:
    return [e for t in controls.toggles if t.id in settings.toggles for e in t.remove_events]


def build(settings: Settings, controls: Controls, root: Path = Path("."), *, name: str | None = None) -> Scenario:
    """The scenario the settings describe: the file, its toggled events removed, its parameters set (validated).

    Raises:
        InputError: a toggle or slider that does not apply to the scenario, or a value the schema refuses.
    """
    base = base_scenario(settings.scenario, root)
    for t in controls.toggles:
        if t.id in settings.toggles and not toggle_available(t, base):
            raise InputError(settings.scenario, f"'{t.label}' does not apply: this scenario has no such events")
    data = base.model_dump(mode="python")
    drop = set(removed_events(settings, controls))
    data["events"] = [e for e in data["events"] if e.get("id") not in drop]
    if name is not None:
        data["name"] = name
    scenario = Scenario.model_validate(data)
    return apply(scenario, overrides(settings, controls, base), settings.scenario)


def changes(settings: Settings, controls: Controls, root: Path = Path("."), *, short: bool = False) -> list[str]:
    """The settings in words, one line per change from the scenario file: 'How hard the government attacks
    (regime.commit): 0.6 → 0.8' (``short``: 'regime.commit: 0.6 → 0.8', for a figure's title, where a label does not fit)."""
    base = base_scenario(settings.scenario, root)
    lines = [t.label for t in controls.toggles if t.id in settings.toggles]
    effective = overrides(settings, controls, base)
    for path, value in settings.values:
        if effective.get(path) == value:  # not overruled by a toggle
            lines.append(f"{path if short else path_words(controls, path, base)}: "
                         f"{shown_value(parameter_value(base, path))} → {shown_value(value)}")
    return lines


def path_words(controls: Controls, path: str, scenario: Scenario | None = None) -> str:
    """A dotted parameter path as the page names a change of it: its slider's label, with the path after it for
    analysts ('How hard the government attacks (regime.commit)'). Where no slider names it, the schema's words for it
    in ``scenario`` (:func:`parameter_help`: 'January 2020 Idlib truce (10 January 2020): daily chance each armed
    faction keeps to it (here: Turkish-backed rebels) (events.jan-truce.compliance.rebels)'); the path alone without a
    scenario."""
    label = controls.spec(path).label
    if not label and scenario is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError):  # a path the schema cannot name stays a path
            label = parameter_help(scenario, path)
    return f"{label} ({path})" if label else path


def shown_value(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def is_whatif_file(path: str, root: Path = Path("."), whatif_dirs: tuple[Path, ...] = ()) -> bool:
    """Whether the file ``path`` is in ``scenarios/whatif`` or ``whatif_dirs``: a what-if, whatever its name."""
    return (root / path).resolve().parent in {(root / "scenarios" / "whatif").resolve(), *map(Path.resolve, whatif_dirs)}


def baseline_of(settings: Settings, root: Path = Path("."), whatif_dirs: tuple[Path, ...] = ()) -> str | None:
    """The scenario the settings are compared with: the file itself once anything is changed; for a what-if
    file left as it is, the scenario it ``extends``; else none (a recorded scenario as it is)."""
    if not settings.is_plain:
        return settings.scenario
    if not is_whatif_file(settings.scenario, root, whatif_dirs):
        return None
    parent = load_yaml(file := (root / settings.scenario).resolve()).get("extends")
    return relative_to_root(file.parent / parent, root) if isinstance(parent, str) else None
