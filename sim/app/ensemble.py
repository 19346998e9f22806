"""The ensemble view's numbers: N replicates of the settings, scored, and set beside their baseline.

Everything here is what the command line computes for the same scenario:
the replicates of ``python -m sim run SCENARIO --runs N``, the scorecard of
``python -m sim compare FOLDER`` (against the record and the frozen front),
and the differences with bootstrap intervals of ``python -m sim compare A B``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.aggregate import common_days, control_probabilities, replicate_quantiles, timeseries_quantiles
from ..analysis.bootstrap import INTERVAL, MIN_REPLICATES
from ..analysis.comparison import Comparison, compare
from ..analysis.comparison_report import comparison_table
from ..analysis.report import markdown_table
from ..analysis.results import Results
from ..analysis.outcome_answers import outcome_table
from ..analysis.scoring import Scorecard, headline_table, score
from ..analysis.scored_outcomes import outcomes_for
from ..experiments.run import memory_results
from ..io.schema import Scenario
from ..names import DISPLAY_NAMES, HOLDERS, date_words, replicates
from ..viz.labels import main_towns
from .breaks import exactly
from .live import probabilities_on, run_replicates, timed
from .compare_words import CHANGE
from .file_changes import file_changes
from .settings import Controls, Settings, base_scenario, baseline_of, build, changes
from .outcome_words import left_aligned
from .whatif import default_name, title_of

MAX_PAGE_REPLICATES = 200  # the most replicates the page runs (its slider's end)


@dataclass
class Ensemble:
    """An ensemble of the settings, its scorecard, and (for a what-if) its baseline and the comparison."""

    settings: Settings
    describes: list[str]  # the sidebar's changes from the picked file; for a what-if file as it is, the file's own
    results: Results
    card: Scorecard
    baseline_file: str | None = None
    baseline: Results | None = None
    comparison: Comparison | None = None
    seconds: float = 0.0
    stem: str = ""  # the scenario's own name, for file names (``results.name`` is its title: 'what-if: ...')

    @property
    def runs(self) -> int:
        return len(self.results.runs)

    @property
    def last(self) -> dt.date:
        return self.results.start + dt.timedelta(days=common_days(self.results.runs) - 1)

    def dates(self) -> list[dt.date]:
        return [self.results.start + dt.timedelta(days=d) for d in range(common_days(self.results.runs))]


def scored_in_memory(scenario: Scenario, results: Results) -> Scorecard:
    """``sim.scorecard`` of runs in memory: against outcomes.yaml beside the scenario's claims record, read once
    per file version (:func:`sim.analysis.scored_outcomes.outcomes_for`, the cache runs and sweeps use)."""
    return score(results, outcomes_for(scenario, results.theatre, list(results.runs[0].timeseries.columns)))


def ensemble_of_settings(settings: Settings, controls: Controls, n: int, root: Path = Path("."),
                         progress: Callable[[int, int], None] | None = None,
                         whatif_dirs: tuple[Path, ...] = ()) -> Ensemble:
    """``n`` replicates of the settings (and of their baseline, if they have one), scored and compared."""
    if not 1 <= n <= MAX_PAGE_REPLICATES:
        raise ValueError(f"replicates must be between 1 and {MAX_PAGE_REPLICATES} (got {n})")
    scenario = build(settings, controls, root, name=None if settings.is_plain else default_name(settings, root))
    base_file = baseline_of(settings, root, whatif_dirs)
    total = n * (2 if base_file else 1)

    def report(offset: int) -> Callable[[int, int], None]:
        return lambda done, _: progress(offset + done, total) if progress else None

    def work() -> Ensemble:
        # An ensemble however many replicates, as `run --runs N` writes it: with one, the page drew that run's control map
        # under a 'Probability map' download, where the command line's map of `--runs 1` is a probability map.
        results = memory_results(scenario, run_replicates(scenario, n, report(0)), title=title_of(settings, controls, root, whatif_dirs),
                                 ensemble=True)
        said = changes(settings, controls, root)
        if settings.is_plain and base_file is not None:  # a what-if file as it is: what it changes from its parent
            own = file_changes(settings.scenario, controls, root)
            said = list(own.lines) if own is not None else []
        out = Ensemble(settings, said, results, scored_in_memory(scenario, results), stem=scenario.name)
        if base_file is not None:
            base = base_scenario(base_file, root)
            out.baseline_file = base_file
            out.baseline = memory_results(base, run_replicates(base, n, report(n)), results.theatre,
                                          title=title_of(Settings(base_file), controls, root, whatif_dirs), ensemble=True)
            out.comparison = compare(scored_in_memory(base, out.baseline), out.card)
        return out

    ens, seconds = timed(work)
    ens.seconds = seconds
    return ens


def towns_table(ens: Ensemble, date: dt.date, *, only_main: bool = True) -> pd.DataFrame:
    """The towns on ``date``: P(each faction holds it) over the replicates, and the record's controller if it has one.

    With ``only_main``, the towns the maps label (the larger ones and road junctions), the likeliest to change first.
    """
    t = ens.results.theatre
    table = probabilities_on(ens.results.runs, t, date)
    if only_main:
        table = table[main_towns(t)]
    return table.sort_values(["p_regime", "town"], ascending=[False, True]).reset_index(drop=True)


def towns_markdown(table: pd.DataFrame) -> str:
    """The towns table as the page shows it: the factions by the names the rest of the page uses."""
    shown = table.rename(columns={f"p_{h}": f"P({DISPLAY_NAMES[h]})" for h in HOLDERS})
    shown["town"] = shown["town"].map(exactly)  # the theatre's names, as they are
    for h in HOLDERS:
        shown[f"P({DISPLAY_NAMES[h]})"] = [f"{p:.2f}" for p in shown[f"P({DISPLAY_NAMES[h]})"]]
    if "reported" in shown:
        shown["reported"] = shown["reported"].map(DISPLAY_NAMES)
    return left_aligned(markdown_table(shown), ("town", "reported"))


def held_summary(ens: Ensemble, date: dt.date) -> dict[str, tuple[float, float, float]]:
    """Towns held by each faction (by its display name) on ``date``: (mean, 5%, 95%) over the replicates."""
    day = (date - ens.results.start).days
    out = {}
    for k, holder in enumerate(HOLDERS):
        held = np.array([(r.history[day] == k).sum() for r in ens.results.runs], dtype=float)
        low, high = replicate_quantiles(held, (0.05, 0.95))  # a replicate's count each, as the figure's band
        out[DISPLAY_NAMES[holder]] = (float(held.mean()), float(low), float(high))
    return out


def comparison_heading(ens: Ensemble | None) -> str:
    """The comparison tab's heading: intervals promised only when the comparison has them (each side has
    :data:`MIN_REPLICATES` replicates or more), as ``compare A B`` says below it."""
    c = ens.comparison if ens is not None else None
    if c is None:
        how = CHANGE  # whole on its line, as in the tables' headers
    elif c.intervals:
        how = f"{CHANGE} with {round(100 * INTERVAL)}% bootstrap intervals"
    else:
        how = f"{CHANGE} without intervals (they need {MIN_REPLICATES} replicates or more)"
    return f"### What-if vs baseline: {how}, as `python -m sim compare A B`"


def compared_day(ens: Ensemble, day: dt.date) -> dt.date:
    """The day the What-if tab maps A and B on: ``day`` (the Ensemble tab's, one of B's), where A has it too; else the
    nearest day both simulate, as ``python -m sim map A B`` keeps to them. A what-if running past its baseline's end
    was mapped on a day A does not reach, and the tab showed the map's error in their place."""
    return max(ens.baseline.start, ens.results.start, min(day, ens.comparison.date))


def comparison_lead(ens: Ensemble, day: dt.date) -> str:
    """The What-if tab's first line, in Markdown: A and B, what B changes (files and changes as they are, :func:`exactly`),
    whether the two ran the same seeds (said only where they did: a what-if setting its own seed was said to share A's
    above 'independent replicates'), and the day the maps are on (:func:`compared_day` of the Ensemble tab's ``day``)."""
    pairing = ens.comparison.seeds  # (a what-if's own seed may overlap A's: the comparison is paired on those both ran)
    seeds = "same seeds" if pairing.same else f"paired on the {len(pairing.shared)} seeds both ran" if pairing.paired else "different seeds"
    # With a slider or toggle moved, A is the picked file and B that file as the sidebar changes it: the one file named
    # for both read as though B were A.
    # A comma after a path goes into the path's bold (exactly's text): after it, it followed the path's inline block,
    # which is as wide as the line once the path breaks, and at 360 px ', which changes from A' began a line of its own.
    if ens.settings != Settings(ens.settings.scenario):
        sides = f"A = **{exactly(ens.baseline_file)}** as it is, B = the same with the sidebar's changes"
    else:
        sides = f"A = **{exactly(f'{ens.baseline_file},')}** B = **{exactly(f'{ens.settings.scenario},')}** which changes from A"
    mapped = compared_day(ens, day)
    which = ("the Ensemble tab's date" if mapped == day else
             f"the {'last' if mapped < day else 'first'} day both simulate; the Ensemble tab's is {date_words(day)}")
    return (f"{sides}: {exactly('; '.join(ens.describes)) if ens.describes else 'nothing that this page can name'}"
            f" — both {replicates(ens.runs)}, {seeds}; maps on {date_words(mapped)} ({which})")


def tables(ens: Ensemble) -> dict[str, pd.DataFrame]:
    """Every table of the ensemble view, by the file name it downloads as."""
    out = {
        "control_prob.csv": control_probabilities(ens.results.runs, ens.results.theatre.towns),
        "timeseries_quantiles.csv": timeseries_quantiles(ens.results.runs),
        "scores.csv": headline_table(ens.card),
        "outcomes.csv": outcome_table(ens.card),
    }
    if ens.comparison is not None:
        out["comparison.csv"] = comparison_table(ens.comparison)
    return out
