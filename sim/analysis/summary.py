"""A readable account of one run for the terminal."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..names import DISPLAY_NAMES, HOLDERS, MAX_SEED, date_words, replicates
from .aggregate import capture_dates, common_days, replicate_quantiles
from .metrics import patrol_coverages
from .results import Results

ENSEMBLE_RUNS = 40  # the replicates of the ensemble a single run's summary (and the app's saved what-if) suggests


def ensemble_seed(seed: int, runs: int = ENSEMBLE_RUNS) -> int | None:
    """The ``--seed`` an ensemble of ``runs`` replicates (the suggested :data:`ENSEMBLE_RUNS`) of a run of ``seed``
    needs: None if they fit below 2**63 - 1 from ``seed``, else that of the last ``runs`` seeds, which include ``seed``
    (an ensemble from ``seed`` would be refused)."""
    return None if seed <= MAX_SEED - runs + 1 else MAX_SEED - runs + 1


if TYPE_CHECKING:
    from ..experiments.run import RunResult


ISO = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")
DAY_WIDTH = len("19 Dec 2019")  # a column of dates lines up
COMMON = 0.1  # the ensemble summary lists the changes of hands in this share of replicates or more, as capture_dates.png


def day(value: object) -> str:
    """A date, or its ISO text, as a reader reads it: '5 Mar 2020' (:func:`sim.names.date_words`); None: 'never'."""
    if value is None or value != value:  # None, or NaN read back from a CSV's blank
        return "never"
    return date_words(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]), "%b")


def in_words(text: str) -> str:
    """``text`` with its ISO dates written as :func:`day` writes them ('in force from 2020-03-06' reads 'in force
    from 6 Mar 2020'): an event's detail comes from the model with ISO dates in it."""
    return ISO.sub(lambda m: day(m.group(0)), str(text))


def name(code: str) -> str:
    """A faction as readers see it ("Government", "Turkish-backed rebels")."""
    return DISPLAY_NAMES.get(code, code)


def names(codes: str) -> str:
    """"russia;turkey" as "Russia and Turkey"."""
    parts = [name(c) for c in str(codes).split(";") if c]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def summarise(result: RunResult, *, folder: Path | None = None, scenario_path: Path | None = None,
              prog: str = "python -m sim", options: str = "") -> str:
    """One run in a screenful: changes of hands, ceasefires, their violators and breakdowns, patrols, towns, losses.

    Ends by saying that one run is one possible history, and how to see
    many (``--runs``, after ``options``: the flags the run was given, such as ``--days 45``) and set them against the
    record (``compare``).
    """
    sc = result.scenario
    ts = result.timeseries
    ev = result.events
    last = ts.iloc[-1]
    first = ts.iloc[0]
    # A day count is of the days simulated after the start day (the state the run begins from), as --days counts them.
    lines = [f"{sc.name}: {date_words(sc.start, '%b')} .. {date_words(sc.end, '%b')} ({sc.days} days simulated), "
             f"seed {result.seed}", ""]

    caps = result.captures
    # events.csv keeps a town taken and given back the same day (two rows); the count is of each day's end, as the
    # scores and maps read control, and said so where the two differ.
    round_trips = (int((ev["type"] == "capture").sum()) - len(caps)) // 2
    lines.append(f"Changes of hands: {len(caps)}" + (f" from day to day (and {round_trips} town{'s' * (round_trips > 1)} "
                 "taken and given back the same day, in events.csv)" if round_trips else ""))
    for row in caps.itertuples():
        new, _, old = str(row.actors).partition(";")
        lines.append(f"  {day(row.date):<{DAY_WIDTH}}  {row.town:<28} {name(old)} → {name(new)}")

    lines += ["", "Ceasefires:", *_ceasefires(ev)]
    violations = ev.loc[ev["type"] == "violation", "actors"].value_counts()
    if violations.empty:
        lines.append("  violations of a deal: none")
    else:
        who = ", ".join(f"{name(a)} {n}" for a, n in violations.items())
        lines.append(f"  violations of a deal: {int(violations.sum())} ({who})")
    broken = ev[ev["type"].str.endswith("_broken")]
    if not broken.empty:  # said apart: "violations: none" under a truce the government broke on its first day misled
        each = "; ".join(f"{in_words(str(r.detail).split(':')[0])} on {day(r.date)}, the {name(r.actors)} resuming its offensive"
                         for r in broken.itertuples())
        lines.append(f"  deals broken: {len(broken)} ({each}; a breakdown is not counted among the violations)")
    lines.append(f"  state on the last day: {last['ceasefire']}")
    lines += _patrols(result)

    lines.append("")
    lines.append("Towns held (start → end): " + ", ".join(
        f"{name(h)} {int(first[f'towns_{h}'])} → {int(last[f'towns_{h}'])}" for h in HOLDERS))
    lines.append("Casualties (fighters): " + ", ".join(f"{name(h)} {int(last[f'casualties_{h}']):,}" for h in HOLDERS))
    lines.append(f"  strength points lost, at {sc.combat.fighters_per_point:g} fighters a point: the model's bookkeeping, "
                 "not estimates")
    lines += _partial_casualties(ts)
    # Counted from the scenario's start, as the model counts them: a run from March counts none of the winter's million.
    lines.append(f"Turkish soldiers killed since {date_words(sc.start, '%b')}: {int(last['turkish_deaths'])}")
    if last.get("casualties_russia", 0) > 0:  # on joint patrols and in strikes: Russia has no ground force to lose fighters from
        lines.append(f"Russian soldiers killed since {date_words(sc.start, '%b')}: {int(last['casualties_russia'])}")
    lines.append(f"Civilians displaced since {date_words(sc.start, '%b')} (the scenario's start): {int(last['displaced']):,}")
    if last.get("returned", 0) > 0:  # only under a deal that binds the government: a line of 0 in every campaign run
        # "displaced 0" then "gone back 233,081" read as people coming from nowhere: say whom the run starts with away.
        away = sc.displaced_at_start
        started = f" (the run starts with people displaced since {date_words(away.since, '%b')} in the camps)" if away else ""
        lines.append(f"Civilians gone back home since {date_words(sc.start, '%b')}{started}: {int(last['returned']):,}")
    lines += ["", f"This is one run: one possible history (seed {result.seed}); another seed gives another."]
    scenario = shlex.quote(str(scenario_path)) if scenario_path else "SCENARIO"  # commands to paste: a space split a path
    lines.append(f"  the spread over many histories: {prog} run {scenario}{options} --runs {ENSEMBLE_RUNS}")
    if folder is not None:
        lines.append(f"  set against what was recorded: {prog} compare {shlex.quote(str(folder))}")
    return "\n".join(lines)


def _partial_casualties(ts) -> list[str]:  # noqa: ANN001 - the time series
    """The README's caveat, when a ceasefire is in force for most of the run: its casualties are partial."""
    simulated = ts["ceasefire"].iloc[1:]  # the first row is the start day, the state the run begins from
    days = int((simulated == "in force").sum())
    if days * 2 <= len(simulated):
        return []
    return [f"  a ceasefire was in force on {days} of the {len(simulated)} days simulated: casualties under it are partial "
            "in the model",
            "  (only HTS's raids, which cost both sides, and its ambushes kill anyone); do not read them as estimates"]


def _ceasefires(ev) -> list[str]:  # noqa: ANN001 - the events table
    """The deals' announcements, entry into force, breakdowns, expiries and supersessions, in words."""
    lines = []
    for row in ev[ev["type"].str.contains("_announced|_in_force|_broken|_expired|_superseded", regex=True)].itertuples():
        kind, _, what = row.type.partition("_")
        detail = in_words(row.detail)
        deal = detail.split(",")[0].split(":")[0]
        when = f"{day(row.date):<{DAY_WIDTH}}"
        if what == "announced":
            lines.append(f"  {when}  {kind} announced  {detail} (brokered by {names(row.actors)})")
        elif what == "in_force":
            lines.append(f"  {when}  {kind} in force   {deal}")
        elif what == "broken":
            lines.append(f"  {when}  {kind} broken     {deal}: the {name(row.actors)} resumes its offensive")
        elif what == "superseded":
            lines.append(f"  {when}  {kind} superseded {detail}")
        else:
            lines.append(f"  {when}  {kind} expired    {deal}")
    return lines or ["  none"]


def _patrols(result: RunResult) -> list[str]:
    """How far each joint patrol got, and where it was stopped."""
    patrols = result.patrols
    if not patrols:
        return []
    records = result.event_records
    cover = patrol_coverages(records[:, 1], records[:, 0], result.series["patrol_coverage"], result.scenario.start)
    plans = [e for e in result.scenario.events if e.type == "joint_patrol"]
    route = f" along the {plans[0].road} from {plans[0].route[0]} to {plans[0].route[1]}" if plans else ""
    lines = ["", f"Joint patrols: {len(patrols)}{route}; share of the route covered: first {cover[0]:.0%}, "
             f"mean {cover.mean():.0%}, last {cover[-1]:.0%}"]
    for log in patrols[:4]:
        if log["coverage"] >= 1:
            lines.append(f"  {day(log['date']):<{DAY_WIDTH}}  covered the whole route, to {log['reached']}")
        else:
            lines.append(f"  {day(log['date']):<{DAY_WIDTH}}  covered {log['coverage']:.0%} of the route, stopped at {log['reached']}")
    if len(patrols) > 4:
        lines.append(f"  ... and {len(patrols) - 4} more")
    return lines


def summarise_ensemble(results: Results, *, towns_shown: int = 10, prog: str = "python -m sim") -> str:
    """The ensemble in a screenful: towns held at the end, losses, and the largest towns to change hands (the
    ``towns_shown`` most populous that do in :data:`COMMON` of the replicates or more; every change is in
    ``capture_dates.csv``)."""
    runs = results.runs
    last = results.start + dt.timedelta(days=common_days(runs) - 1)
    seeds = f"seed {runs[0].seed}" if len(runs) == 1 else f"seeds {runs[0].seed} .. {runs[-1].seed}"
    lines = [f"{results.name}: {day(results.start)} .. {day(last)}, {replicates(len(runs))} ({seeds})", ""]

    def spread(variable: str) -> str:
        x = np.array([r.timeseries[variable].iloc[common_days(runs) - 1] for r in runs], dtype=float)
        # Each a replicate's value, as in timeseries_quantiles.csv and the plots: interpolated, the 95% edge of 20
        # runs read 127 government towns where the CSV, and every run, had 126 or 142.
        lo, mid, hi = replicate_quantiles(x, (0.05, 0.5, 0.95))
        return f"{mid:,.0f} ({lo:,.0f} .. {hi:,.0f})"

    lines.append(f"On {day(last)}, median (5% .. 95%) over replicates:")
    labels = {**{f"towns_{h}": f"towns held by {name(h)}" for h in HOLDERS},
              "turkish_deaths": "Turkish soldiers killed since the start", "displaced": "civilians displaced since the start",
              "returned": "civilians gone back home since the start"}
    for v, label in labels.items():
        if v in runs[0].timeseries:  # a folder written before a series was reported (returned: round 71) lacks it
            lines.append(f"  {label:<41} {spread(v)}")
    in_force = np.mean([r.timeseries["ceasefire"].iloc[common_days(runs) - 1] == "in force" for r in runs])
    lines.append(f"  ceasefire in force in {in_force:.0%} of replicates")

    caps = capture_dates(runs)
    # The most populous towns, not the likeliest changes: those were a dozen December villages certain to fall, and
    # neither Saraqib nor Ma'arat al-Numan. A change in fewer than one replicate in ten is noise at this scale.
    population = dict(zip(results.theatre.towns, results.theatre.population, strict=True))
    # A town's changes of hands together, in the order they happen (the rebels retake a town only after the
    # government took it), the town placed by its likeliest one.
    common = caps[caps["share"] >= COMMON]
    common = common.assign(population=common["town"].map(population),
                           likeliest=common.groupby("town")["share"].transform("max")).sort_values(
        ["population", "likeliest", "town", "q05"], ascending=[False, False, True, True], kind="stable")
    lines += ["", "Most populous towns to change hands in one replicate in ten or more (share, median date, 5% .. 95%):"]
    if caps.empty:  # the header alone read as if the list had been lost
        lines.append("  none: no town changed hands in any replicate")
    elif common.empty:
        lines.append("  none: no town changed hands in one replicate in ten or more")
    for row in common.head(towns_shown).itertuples():
        lines.append(f"  {row.town:<24} → {name(row.to):<22} {row.share:4.0%}  {day(row.q50):<{DAY_WIDTH}}  ({day(row.q05)} .. {day(row.q95)})")
    shown = common.head(towns_shown)
    if shown["q50"].isna().any():
        lines.append("  (never: more than half the replicates never see it, a replicate that never does counting as latest)")
    if len(caps) > len(shown):
        lines.append(f"  ... {len(caps) - len(shown)} more in capture_dates.csv (every change of hands)")
    lines += ["", f"Set against what was recorded: {prog} compare {shlex.quote(str(results.path))}"]
    return "\n".join(lines)
