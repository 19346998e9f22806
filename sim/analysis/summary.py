"""A readable account of one run for the terminal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from .aggregate import capture_dates, common_days
from .results import Results

if TYPE_CHECKING:
    from ..experiments.run import RunResult


def summarise(result: RunResult) -> str:
    sc = result.scenario
    ts = result.timeseries
    ev = result.events
    last = ts.iloc[-1]
    first = ts.iloc[0]
    lines = [f"{sc.name}: {sc.start} .. {sc.end}, seed {result.seed}", ""]

    caps = result.captures
    lines.append(f"Changes of hands: {len(caps)}")
    for row in caps.itertuples():
        lines.append(f"  {row.date}  {row.town:<28} {row.detail}")

    lines.append("")
    lines.append("Ceasefires:")
    kinds = ("truce_announced", "truce_in_force", "truce_broken", "agreement_announced", "agreement_in_force", "agreement_broken", "truce_expired", "agreement_expired")
    shown = ev[ev["type"].isin(kinds)]
    if shown.empty:
        lines.append("  none")
    for row in shown.itertuples():
        lines.append(f"  {row.date}  {row.type.replace('_', ' '):<20} {row.detail}")
    n_viol = int((ev["type"] == "violation").sum())
    lines.append(f"  violations by parties rejecting a deal: {n_viol}; state on the last day: {last['ceasefire']}")

    patrols = ev[ev["type"] == "patrol"]
    if len(patrols):
        cover = [p["coverage"] for p in result.patrols]
        lines.append("")
        lines.append(f"Joint patrols: {len(patrols)}; share of the route covered: first {cover[0]:.0%}, mean {sum(cover) / len(cover):.0%}, last {cover[-1]:.0%}")
        for row in patrols.head(4).itertuples():
            lines.append(f"  {row.date}  {row.detail}")
        if len(patrols) > 4:
            lines.append(f"  ... and {len(patrols) - 4} more")

    lines.append("")
    lines.append("Towns held (start -> end): " + ", ".join(
        f"{k.removeprefix('towns_')} {int(first[k])} -> {int(last[k])}" for k in ("towns_regime", "towns_hts", "towns_rebels")))
    lines.append("Casualties (fighters): " + ", ".join(
        f"{k.removeprefix('casualties_')} {int(last[k]):,}" for k in ("casualties_regime", "casualties_hts", "casualties_rebels")))
    lines.append(f"Turkish soldiers killed: {int(last['turkish_deaths'])}")
    lines.append(f"Civilians displaced: {int(last['displaced']):,}")
    return "\n".join(lines)


def summarise_ensemble(results: Results, *, towns_shown: int = 12) -> str:
    """The ensemble in a screenful: towns held at the end, the likeliest changes of hands, losses."""
    runs = results.runs
    last = results.start + dt.timedelta(days=common_days(runs) - 1)
    lines = [f"{results.name}: {results.start} .. {last}, {len(runs)} replicates (seeds {runs[0].seed} .. {runs[-1].seed})", ""]

    def spread(variable: str) -> str:
        x = np.array([r.timeseries[variable].iloc[common_days(runs) - 1] for r in runs], dtype=float)
        lo, mid, hi = np.quantile(x, [0.05, 0.5, 0.95])
        return f"{mid:,.0f} ({lo:,.0f} .. {hi:,.0f})"

    lines.append(f"On {last}, median (5% .. 95%) over replicates:")
    for v in ("towns_regime", "towns_hts", "towns_rebels", "turkish_deaths", "displaced"):
        lines.append(f"  {v.replace('_', ' '):<16} {spread(v)}")
    in_force = np.mean([r.timeseries["ceasefire"].iloc[common_days(runs) - 1] == "in force" for r in runs])
    lines.append(f"  ceasefire in force in {in_force:.0%} of replicates")

    caps = capture_dates(runs).sort_values(["share", "q50"], ascending=[False, True])
    lines += ["", "Likeliest changes of hands (share of replicates, median date, 5% .. 95%):"]
    for row in caps.head(towns_shown).itertuples():
        lines.append(f"  {row.town:<24} -> {row.to:<7} {row.share:4.0%}  {row.q50}  ({row.q05} .. {row.q95})")
    if len(caps) > towns_shown:
        lines.append(f"  ... {len(caps) - towns_shown} more in capture_dates.csv")
    return "\n".join(lines)
