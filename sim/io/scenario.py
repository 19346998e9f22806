"""The scenario format: what a YAML scenario may say, checked before a run.

A scenario is a theatre, a date window, faction parameters and dated events
(decisions and exogenous shocks). It never says who holds a town after the
start date: every change of hands must come out of the model's rules.

The schema is the pydantic models below; ``scenarios/README.md`` documents
it for users. ``load_scenario`` resolves ``extends`` chains, validates, and
turns every problem into an :class:`~sim.errors.InputError` that names the
file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError, did_you_mean
from .safe_yaml import LDict, LList, load_yaml, location, not_a_file

FACTIONS = ("regime", "russia", "turkey", "hts", "rebels")
Faction = Literal["regime", "russia", "turkey", "hts", "rebels"]
Holder = Literal["regime", "hts", "rebels"]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
# A log-normal sigma. Bounded because exp(sigma * z) overflows to inf (or
# underflows to 0) for sigma in the hundreds, and inf x 0 = NaN losses.
Spread = Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------
# Faction parameters. Defaults are neutral placeholders; the calibrated
# values for a theatre live in its scenario files (scenarios/common/).
# --------------------------------------------------------------------------


class RegimeParams(Strict):
    """The government side's ground forces."""

    force: Positive = Field(100.0, description="mobile offensive strength at the start (strength points; 1 point is about 100 fighters)")
    regen: Positive = Field(0.0, description="strength points added to the mobile force each day")
    garrison: Positive = Field(2.0, description="strength left in each held town at the start")
    axes: int = Field(2, ge=1, le=20, description="number of towns attacked at once (concentration)")
    commit: Share = Field(0.5, description="share of the mobile force thrown into attacks each day")
    objective_roads: dict[str, Positive] = Field(default_factory=dict, description="road class -> strategic weight of the towns on it")
    junction_bonus: Positive = Field(2.0, description="extra value of a town where two objective roads meet")
    opens_road_bonus: Positive = Field(1.0, description="extra value of the next town along an objective road from a held one")
    retake_bonus: Positive = Field(2.0, description="extra value of a town the regime has lost during the run")
    proximity_km: Positive = Field(10.0, description="distance scale: value decays as exp(-road km from the nearest held town / proximity_km)")
    axis_km: Positive = Field(15.0, description="focus of an offensive: scores decay as exp(-km from the nearest axis town / axis_km)")
    choice_noise: Spread = Field(0.3, description="log-normal spread of the daily objective scores (at most 10)")
    pressure_growth: Positive = Field(0.02, description="daily growth of truce-violation pressure per unit of unmet road objectives")
    pretext: Positive = Field(0.02, description="violation pressure added by each spoiler attack on regime positions")
    escalation_threshold: Share = Field(0.5, description="Turkish escalation level above which the regime stops sparing towns with posts")


class RussiaParams(Strict):
    """Air power and the patron's hand on the regime."""

    air_support: Share = Field(1.0, description="air effort while the regime is on the offensive")
    idle_air: Share = Field(0.2, description="air effort while no offensive is running")
    truce_air: Share = Field(0.1, description="air effort while a ceasefire Russia brokered is in force")
    air_power: Positive = Field(1.0, description="regime attack multiplier per unit of air effort")
    strike_radius_km: Positive = Field(10.0, description="towns this close to an assaulted town are bombed too (civilian flight)")


class TurkeyParams(Strict):
    """Observation posts, reinforcements and escalation."""

    deterrence: Positive = Field(2.0, description="regime objective scores are divided by exp(deterrence x intact posts)")
    encircled_deterrence: Positive = Field(0.3, description="the same for encircled posts")
    post_defence: Positive = Field(0.3, description="defence multiplier added per Turkish post in a town")
    may_escalate: bool = Field(True, description="whether Turkey escalates at all (what-if switch)")
    escalation_per_death: Positive = Field(0.02, description="escalation added per Turkish soldier killed")
    escalation_per_encirclement: Positive = Field(0.1, description="escalation added per newly encircled post")
    escalation_decay: Share = Field(0.02, description="daily relaxation of escalation")
    drone_strength: Positive = Field(2.0, description="regime strength points destroyed per day at full escalation")
    suppression: Share = Field(0.3, description="share of regime attack power suppressed at full escalation")
    fire_support: Positive = Field(1.0, description="rebel attack multiplier added at full escalation")
    exposure: Positive = Field(0.2, description="expected Turkish deaths per day at each post in or next to an assaulted town")
    combat_exposure: Positive = Field(0.5, description="expected Turkish deaths per day at full escalation")
    border_open: bool = Field(False, description="whether the displaced may cross into Turkey")


class ArmedGroupParams(Strict):
    """Parameters shared by the two opposition groups."""

    garrison: Positive = Field(3.0, description="strength in each held town at the start")
    front_garrison: Positive = Field(0.0, description="extra strength at the start in towns on the front line (fortified positions)")
    reserve: Positive = Field(50.0, description="mobile reserve at the start")
    regen: Positive = Field(0.3, description="strength points recruited into the reserve each day")
    reinforce: Share = Field(0.3, description="share of the reserve sent each day to towns under assault")
    cohesion: Positive = Field(1.0, description="defence multiplier of its garrisons")


class HTSParams(ArmedGroupParams):
    """The spoiler: defends, rejects deals, attacks and blocks patrols."""

    spoiler_rate: Share = Field(0.3, description="daily chance of a raid on regime positions during a ceasefire it rejects")
    raid_strength: Positive = Field(1.0, description="strength committed to a raid")
    patrol_block: Share = Field(0.3, description="chance of stopping a patrol at each town next to its own ground")
    patrol_attack: Share = Field(0.1, description="chance of attacking a patrol on a run")
    protest_rate: Share = Field(0.2, description="daily chance of a new sit-in on a patrol road it opposes")
    protest_days: int = Field(5, ge=1, le=365, description="how long a sit-in blocks the road")


class RebelParams(ArmedGroupParams):
    """The Turkish-backed rebels: defend, counter-attack with Turkish fire."""

    counter_threshold: Share = Field(0.5, description="Turkish escalation needed before rebels counter-attack")
    counter_commit: Share = Field(0.5, description="share of the reserve thrown into a counter-attack")


class Factions(Strict):
    regime: RegimeParams = RegimeParams()
    russia: RussiaParams = RussiaParams()
    turkey: TurkeyParams = TurkeyParams()
    hts: HTSParams = HTSParams()
    rebels: RebelParams = RebelParams()


class CombatParams(Strict):
    """Stochastic Lanchester attrition on assaulted towns."""

    lethality: Positive = Field(0.05, description="daily losses inflicted per unit of effective opposing strength")
    noise: Spread = Field(0.3, description="log-normal spread of daily losses (at most 10)")
    break_ratio: Positive = Field(3.0, description="defenders break when outnumbered this many times in effective strength")
    min_garrison: Positive = Field(0.3, description="a town held by less than this falls to any assault")
    occupy: Share = Field(0.2, description="share of a victorious attacking force left behind as the new garrison")
    urban_defence: Positive = Field(0.3, description="defence multiplier added per tenfold population above 1,000")
    fighters_per_point: Positive = Field(100.0, description="fighters per strength point, to report casualties")


class CivilianParams(Strict):
    """Civilian flight toward the border camps."""

    flee_assault: Share = Field(0.3, description="daily share of residents leaving a town under ground assault")
    flee_air: Share = Field(0.05, description="daily share leaving a bombed town at full air effort")
    flee_capture: Share = Field(0.8, description="share of the remaining residents leaving when a town changes hands")


# --------------------------------------------------------------------------
# Events: decisions and exogenous shocks, each citing the record.
# --------------------------------------------------------------------------


class EventBase(Strict):
    id: str | None = Field(None, description="stable name, so that a what-if can override or remove the event")
    date: dt.date
    source: list[str] = Field(min_length=1, description="claim ids in seeds/claims.yaml")
    note: str = ""


class Offensive(EventBase):
    """A faction starts or stops a ground offensive, optionally along an axis."""

    type: Literal["offensive"]
    faction: Literal["regime", "rebels"] = "regime"
    action: Literal["start", "stop"]
    axis: list[str] = Field(default_factory=list, description="towns the offensive aims at")
    intensity: Share = Field(1.0, description="scales the share of the mobile force committed (a limited push < 1)")


class Truce(EventBase):
    """A ceasefire announced on ``date``, binding from ``effective``."""

    type: Literal["truce"]
    name: str
    effective: dt.date
    until: dt.date | None = None
    parties: list[Faction] = Field(min_length=1, description="the brokers")
    compliance: dict[Holder, Share] = Field(default_factory=dict, description="daily chance each armed faction keeps to it")
    restraint: Share = Field(0.0, description="how hard the brokers hold their side back (scales the regime's chance to break it)")


class Corridor(Strict):
    road: str
    width_km: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]


class Agreement(Truce):
    """A ceasefire on the line of contact, optionally with a security corridor along a road."""

    type: Literal["agreement"]  # type: ignore[assignment]
    corridor: Corridor | None = None


class JointPatrol(EventBase):
    """Patrols along a road between two towns, every ``every_days`` until ``until``."""

    type: Literal["joint_patrol"]
    announced: dt.date | None = Field(None, description="when the plan became known (sit-ins may start then); defaults to date")
    route: list[str] = Field(min_length=2, max_length=2, description="[from town, to town]")
    road: str
    every_days: int = Field(7, ge=1, le=365)
    until: dt.date | None = None
    participants: list[Faction] = Field(min_length=1)


class ObservationPost(EventBase):
    """Turkey establishes or withdraws a post listed in the theatre."""

    type: Literal["observation_post"]
    action: Literal["establish", "withdraw"]
    post: str


class Intervention(EventBase):
    """A faction commits to open military action (e.g. a drone campaign)."""

    type: Literal["intervention"]
    faction: Literal["turkey"] = "turkey"
    name: str
    intensity: Share = 1.0
    until: dt.date | None = None


class AirPolicy(EventBase):
    """Russia holds its air effort below a ceiling (withholds support) until a date."""

    type: Literal["air_policy"]
    ceiling: Share = Field(description="the most air effort Russia flies while the policy lasts")
    until: dt.date | None = None


class Reinforcement(EventBase):
    """Strength added to a faction: regime mobile force, opposition reserves, or
    (Turkey, with ``town``) troops counted in post-equivalents at a town."""

    type: Literal["reinforcement"]
    faction: Literal["regime", "turkey", "hts", "rebels"]
    strength: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
    town: str | None = None


class Strike(EventBase):
    """An exogenous strike with known casualties (deaths by faction)."""

    type: Literal["strike"]
    by: Faction
    town: str
    casualties: dict[Faction, Annotated[int, Field(ge=0, le=1_000_000)]]


class MilitaryPolice(EventBase):
    """Russia deploys military police into a government-held town."""

    type: Literal["military_police"]
    town: str


Event = Annotated[
    Offensive | Truce | Agreement | JointPatrol | ObservationPost | Intervention | AirPolicy | Reinforcement | Strike | MilitaryPolice,
    Field(discriminator="type"),
]
EVENT_TYPES = ("offensive", "truce", "agreement", "joint_patrol", "observation_post", "intervention", "air_policy", "reinforcement",
               "strike", "military_police")


class Scenario(Strict):
    """A validated scenario, with its paths resolved."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    theatre: Path
    seeds: Path
    start: dt.date
    end: dt.date
    seed: int = Field(0, ge=0, le=2**63 - 1)
    initial_control: dt.date = Field(description="date of the theatre's control column the run starts from")
    factions: Factions = Factions()
    combat: CombatParams = CombatParams()
    civilians: CivilianParams = CivilianParams()
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.end <= self.start:
            raise ValueError("'end' must be after 'start'")
        if (self.end - self.start).days > 366 * 20:
            raise ValueError("the window is longer than 20 years")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def canonical_json(self) -> str:
        """The resolved parameters as stable JSON (paths as given, not absolute)."""
        data = self.model_dump(mode="json")
        data["theatre"] = self.theatre.name
        data["seeds"] = self.seeds.name
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


# --------------------------------------------------------------------------
# Loading: extends, merge, validation, cross-checks against theatre and seeds
# --------------------------------------------------------------------------

_TOP_KEYS = set(Scenario.model_fields) | {"extends", "remove_events"}
_PATH_KEYS = ("theatre", "seeds")


def _resolve(path: Path, stack: tuple[Path, ...]) -> LDict:
    tree = load_yaml(path)
    unknown = [k for k in tree if k not in _TOP_KEYS]
    if unknown:
        key = unknown[0]
        raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), _TOP_KEYS), line=tree.lines[key][1], key=str(key))
    for key in _PATH_KEYS:
        if key in tree:
            if not isinstance(tree[key], str):
                raise InputError(path, f"'{key}' must be a path", line=tree.lines[key][1], key=key)
            tree[key] = str((path.parent / tree[key]).resolve())
    if "extends" not in tree:
        return tree
    parent_name = tree.pop("extends")
    file, line = tree.lines.pop("extends")
    if not isinstance(parent_name, str):
        raise InputError(path, "'extends' must be the path of another scenario", line=line, key="extends")
    parent_path = (path.parent / parent_name).resolve()
    if parent_path in stack or parent_path == path.resolve():
        chain = " -> ".join(p.name for p in (*stack, path.resolve(), parent_path))
        raise InputError(path, f"'extends' makes a cycle: {chain}", line=line, key="extends")
    problem = not_a_file(parent_path)
    if problem:
        raise InputError(path, f"'extends' names {problem}: {parent_name}", line=line, key="extends")
    parent = _resolve(parent_path, (*stack, path.resolve()))
    return _merge(parent, tree)


def _merge(base: LDict, over: LDict) -> LDict:
    """``over`` on top of ``base``: mappings merge key by key, events by id, other values replace."""
    out = LDict(base, file=over.file, line=over.line)
    out.lines = dict(base.lines)
    for key, value in over.items():
        if key == "events" and isinstance(value, LList) and isinstance(base.get("events"), LList):
            out[key] = _merge_events(base["events"], value)
        elif key == "remove_events":
            continue
        elif isinstance(value, LDict) and isinstance(base.get(key), LDict):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
        out.lines[key] = over.lines[key]
    if "remove_events" in over:
        out["events"] = _remove_events(out.get("events", LList()), over["remove_events"], over)
        out.lines.setdefault("events", over.lines["remove_events"])
    return out


def _merge_events(base: LList, over: LList) -> LList:
    out = LList(base, file=over.file, line=over.line)
    out.lines = list(base.lines)
    index = {e.get("id"): i for i, e in enumerate(base) if isinstance(e, LDict) and e.get("id")}
    for event, where in zip(over, over.lines, strict=True):
        i = index.get(event.get("id")) if isinstance(event, LDict) else None
        if i is None:
            out.append(event)
            out.lines.append(where)
        else:
            out[i] = _merge(base[i], event)
            out.lines[i] = where
    return out


def _remove_events(events: LList, ids: Any, tree: LDict) -> LList:
    file, line = tree.lines["remove_events"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputError(file, "'remove_events' must be a list of event ids", line=line, key="remove_events")
    known = {e.get("id") for e in events if isinstance(e, LDict)}
    for i in ids:
        if i not in known:
            raise InputError(file, f"'remove_events' names no event with id '{i}'" + did_you_mean(i, filter(None, known)), line=line, key="remove_events")
    out = LList(file=events.file, line=events.line)
    for event, where in zip(events, events.lines, strict=True):
        if not (isinstance(event, LDict) and event.get("id") in ids):
            out.append(event)
            out.lines.append(where)
    return out


def _key_path(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part in EVENT_TYPES or "function-" in str(part):
            continue  # pydantic's union branch names, not keys the user wrote
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _explain(err: dict, tree: LDict, fallback: Path) -> InputError:
    loc = tuple(err["loc"])
    file, line = location(tree, loc)
    key = _key_path(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        field = str(loc[-1])
        parent_model = _model_at(loc[:-1], tree)
        choices = parent_model.model_fields if parent_model else ()
        message = f"unknown key '{field}'" + did_you_mean(field, choices)
    elif kind == "union_tag_invalid":
        message = f"unknown event type {err['input'].get('type')!r}" + did_you_mean(str(err["input"].get("type")), EVENT_TYPES)
    elif kind == "union_tag_not_found":
        message = f"every event needs a 'type' (one of: {', '.join(EVENT_TYPES)})"
    elif kind == "missing":
        message = f"missing required key '{loc[-1]}'"
    elif kind == "value_error" and "error" in err.get("ctx", {}):
        message = str(err["ctx"]["error"])  # our own validators' words, without pydantic's "Value error, "
    else:
        message = err["msg"][0].lower() + err["msg"][1:]
        if "input" in err and not isinstance(err["input"], dict | list):
            message += f" (got {_short_repr(err['input'])})"
    return InputError(file or fallback, message, line=line, key=key or None)


def _short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to one readable line; huge integers cannot even be printed in full."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's 4,300-digit str() limit
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _model_at(loc: tuple, tree: LDict) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (for did-you-mean)."""
    model: Any = Scenario
    node: Any = tree
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if part in EVENT_TYPES:
            model = _EVENT_MODELS[part]
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        model = field.annotation
        if getattr(model, "__origin__", None) is list or str(model).startswith("list["):
            model = None  # an events list: the branch name comes next
        node = node.get(part) if isinstance(node, dict) else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_EVENT_MODELS = {
    "offensive": Offensive, "truce": Truce, "agreement": Agreement, "joint_patrol": JointPatrol,
    "observation_post": ObservationPost, "intervention": Intervention, "air_policy": AirPolicy,
    "reinforcement": Reinforcement, "strike": Strike, "military_police": MilitaryPolice,
}


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the YAML scenario.
        **overrides: top-level values replacing the file's (``seed``, ``end``).
            A shortened window leaves out the events dated after it.

    Raises:
        InputError: with file, line and key of the first problem found.
    """
    path = Path(path)
    tree = _resolve(path.resolve(), ())
    tree.file = str(path)
    for key, value in overrides.items():
        if value is not None:
            tree[key] = value
            tree.lines.setdefault(key, (str(path), None))
    if overrides.get("end") is not None and isinstance(tree.get("events"), LList):
        tree["events"] = _events_until(tree["events"], overrides["end"])
    try:
        scenario = Scenario.model_validate(dict(tree))
    except ValidationError as exc:
        raise _explain(exc.errors()[0], tree, path) from None
    from .checks import check_scenario  # needs the theatre, which needs this module

    check_scenario(scenario, tree, path)
    return scenario


def _events_until(events: LList, end: dt.date) -> LList:
    """The events dated on or before ``end`` (others are kept for validation to judge)."""
    out = LList(file=events.file, line=events.line)
    for event, where in zip(events, events.lines, strict=True):
        date = event.get("date") if isinstance(event, dict) else None
        if not (isinstance(date, dt.date) and date > end):
            out.append(event)
            out.lines.append(where)
    return out


def content_hash(scenario: Scenario, files: list[Path]) -> str:
    """SHA-256 over the resolved scenario and every input file that shapes the result."""
    digest = hashlib.sha256(scenario.canonical_json().encode())
    for file in sorted(set(files)):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()
