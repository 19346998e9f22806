"""Two ensembles' comparison as text: ``comparison_vs_<A>.md`` (and the app's download) and its CSV of every difference.

The text writes dates as readers read them ('5 Feb 2020', :func:`sim.names.date_words`); the CSV keeps them ISO, as data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import InputError, shown_path
from ..names import DISPLAY_NAMES, HOLDERS
from .bootstrap import INTERVAL, MIN_REPLICATES
from .comparison import Comparison, DateShift, Difference
from .report import LOWER_BOUND, NOT_GIVEN, decimals_for, markdown_table, score_decimals
from .scoring import LOWER_IS_BETTER
from .summary import day


def _row_decimals(diffs: list[Difference]) -> list[int]:
    """One format for each quantity's row, the one its larger mean (A or B) needs: a row read 39.4, -2.8 and -0.875,
    another 22,757 and 451.4, as each number was formatted by its own size. A row that is 0 in both is written as a
    whole 0: as a share's "0.000" it read as a fraction of a count (no one displaced under the Moscow ceasefire)."""
    sizes = [max((abs(v) for v in (d.a, d.b) if not math.isnan(v)), default=0.0) for d in diffs]
    return [decimals_for(size) if size else 0 for size in sizes]


def comparison_text(c: Comparison, *, towns_shown: int = 15, csv_name: str = "comparison.csv") -> str:
    """The comparison as markdown; ``csv_name`` is the file :func:`comparison_table`'s table is written to, which the
    text points to for what it leaves out (the command line writes ``comparison_vs_<A>.csv``; the app downloads
    ``comparison.csv``)."""
    a, b = c.a.results, c.b.results
    # A file's, not a name, as resolved when it ran and named from here: the path as given was from where it ran.
    scenarios = (shown_path(str(r.manifest["scenario_file"])) if r.manifest.get("scenario_file") else None for r in (a, b))
    how = " ".join(filter(None, (c.seeds.words() + ".", c.seeds.left_out(), c.seeds.rerun(*scenarios))))
    named = {c.a.outcomes_named, c.b.outcomes_named}  # one file given for both (--outcomes): named in the title
    lines = [
        f"# {b.name} vs {a.name}" + (f", against {named.pop()}" if len(named) == 1 and None not in named else ""),
        "",
        f"A = {a.label}, B = {b.label}; differences are B - A with {round(100 * INTERVAL)}% bootstrap intervals, {how}"
        if c.intervals else f"A = {a.label}, B = {b.label}; differences are B - A, without intervals ('{NOT_GIVEN}'): "
        f"intervals need at least {MIN_REPLICATES} replicates in each (run --runs {MIN_REPLICATES} or more).",
        "",
        *_same_runs(c),
        _coverage(c, csv_name),
        "",
        "## Headline scores against the record",
        "",
        markdown_table(_headlines(c.headlines), score_decimals([d.name for d in c.headlines]),
                       marks=_bound_marks(c.headlines)),
        "",
        CLOSER_WORDS,
        "",
        *_bounds_key(c.headlines),
        *_outcomes(c, csv_name),
        *_dates(c, csv_name),
        f"## On {day(c.date)}: means over replicates",
        "",
        markdown_table(_differences(c.quantities, "quantity"), _row_decimals(c.quantities)),
        *_quantities_key(c),
    ]
    moved = c.towns[(c.towns["diff"].abs() >= 0.05)].sort_values("diff", key=abs, ascending=False)
    lines += ["", f"## Towns: probability the government holds them on {day(c.date)}", ""]
    if moved.empty:
        lines.append("No town's probability differs by 5 points or more.")
    else:
        shown = moved.head(towns_shown).rename(columns={"p_regime_a": "A", "p_regime_b": "B", "diff": "B - A"})
        lines.append(markdown_table(shown))
        if len(moved) > towns_shown:
            lines.append(f"\n... and {len(moved) - towns_shown} more in {csv_name}.")
    return "\n".join(lines) + "\n"


# Said under the headline scores, as the app's What-if tab says it: B - A of two scores is better higher and of two
# lower, and a what-if whose premise is not what happened is expected to part from the record (round 77's walk read
# a what-if's Brier of +0.120 as a gain, and its lower outcomes met as a verdict on the what-if).
CLOSER = "closer to the record when"
CLOSER_WORDS = (f"*{CLOSER}*: whether a higher or a lower score is the closer match to what happened. Closer says only "
                "that B matches what happened more closely, not that B is to be preferred: a what-if whose premise "
                "parts from what happened is expected to score further from the record.")


def _headlines(diffs: list[Difference]) -> pd.DataFrame:
    """The headline scores' table of :func:`_differences`, with the column saying which way each is closer to the record."""
    frame = _differences(diffs, "score")
    frame[CLOSER] = ["lower" if d.name in LOWER_IS_BETTER else "higher" for d in diffs]
    return frame


def _bound_marks(diffs: list[Difference]) -> dict[tuple[int, str], str]:
    """The marks of :func:`~sim.analysis.report.markdown_table` on a table of :func:`_differences`: "≥ " before A's
    or B's value where it is a lower bound, as ``compare A`` marks one, and before B - A the bound it is then (≥, ≤)."""
    marks = {}
    for k, d in enumerate(diffs):
        marks |= {(k, side): LOWER_BOUND for side, bound in (("A", d.a_lower_bound), ("B", d.b_lower_bound)) if bound}
        if d.diff_bound:
            marks[k, "B - A"] = f"{d.diff_bound} "
    return marks


def _bounds_key(diffs: list[Difference]) -> list[str]:
    """The paragraph under the headline scores where one is a lower bound (:func:`lower_bounds_words`)."""
    return [text, ""] if (text := lower_bounds_words(diffs)) else []


def lower_bounds_words(diffs: list[Difference], change: str = "B - A") -> str:
    """What ≥ means where a headline score of ``diffs`` is a lower bound, and what B - A (written ``change``) says
    then; "" where none is. The app's What-if tab says it in these words too."""
    if not any(d.a_lower_bound or d.b_lower_bound for d in diffs):
        return ""
    return (f"{LOWER_BOUND.strip()}: a lower bound: a change of hands the capture MAE counts never comes in some "
            f"replicates, and one that never comes counts as the day after the run ends. Where one side is a bound, "
            f"{change} is at least (≥) or at most (≤) what it shows; where both are, it does not say which is closer to "
            "the record.")


def _outcomes(c: Comparison, csv_name: str, shown: int = 25) -> list[str]:
    """Each outcome's share of replicates meeting it, in the record's order; a list longer than ``shown`` (the
    campaign's 175) as the dates and towns are given: those whose share changed, largest first, the rest counted (all
    in the CSV), so that what a what-if changed is not lost among the rows it did not."""
    head = ["## Outcomes: share of replicates meeting each", ""]
    if len(c.outcomes) <= shown:
        return [*head, markdown_table(_differences(c.outcomes, "outcome")), ""]
    changed = sorted((d for d in c.outcomes if d.diff != 0),  # a NaN (no share to set beside the other) is listed, last
                     key=lambda d: (math.isnan(d.diff), 0.0 if math.isnan(d.diff) else -abs(d.diff)))
    same = len(c.outcomes) - len(changed)
    if not changed:
        return [*head, f"Each of the {len(c.outcomes)} is met in the same share of replicates in A and B.", ""]
    more = f"{len(changed) - shown} more changed; " if len(changed) > shown else ""
    return [*head, markdown_table(_differences(changed[:shown], "outcome")), "",
            f"{more}{same} of the {len(c.outcomes)} are met in the same share of replicates in A and B (every outcome is "
            f"in {csv_name}).", ""]


def _dates(c: Comparison, csv_name: str, shown: int = 15) -> list[str]:
    """The section answering "how much later does Saraqib fall?" (:func:`date_shifts`), under its heading."""
    if not c.dates:
        return []
    heading, body, tail = date_shifts(c, csv_name, shown)
    return [f"## {heading}", "", body, "", *([tail, ""] if tail else [])]


def date_shifts(c: Comparison, csv_name: str, shown: int = 15,
                named: Callable[[str], str] = str, plus: bool = False) -> tuple[str, str, str]:
    """The dated outcomes whose median date moved, the largest shifts first, a shift to or from "never" given as the
    bound it is, the rest counted (all in the CSV ``csv_name``): (heading, table or sentence, what it means; '' where
    nothing moved). The app's What-if tab says them in these words too, each outcome ``named`` (default: by its id),
    and with ``plus`` a later date's shift and interval with a '+', as the tab writes its every difference (the
    command line writes none)."""
    moved = sorted((d for d in c.dates if d.moved), key=lambda d: -abs(d.diff if d.bound is None else d.bound))
    head = "Dates: the median simulated date of each dated outcome (captures, roads, events)"
    same = len(c.dates) - len(moved)
    if not moved:
        return head, ("It has the same median date in A and B." if len(c.dates) == 1
                      else f"Each of the {len(c.dates)} has the same median date in A and B."), ""
    rows = [{"outcome": named(d.name), "A": _median_words(d, d.a), "B": _median_words(d, d.b),
             "B - A (days)": f"{'≥' if np.isfinite(d.a) else '≤'} {d.bound:,.0f}" if d.bound is not None
             else _plus(f"{d.diff:,.0f}", plus), "low": _plus(_shift_days(d.low), plus),
             "high": _plus(_shift_days(d.high), plus)} for d in moved[:shown]]
    more = f"{len(moved) - shown} more moved (every outcome is in {csv_name}); " if len(moved) > shown else ""
    # Text ("≥ 6", NOT_GIVEN), right-aligned as the numbers they are.
    return head, markdown_table(pd.DataFrame(rows), right=("B - A (days)", "low", "high")), (
            f"{more}{_same_dates(same)} A replicate that never sees an outcome by {day(c.date)} (the "
            "last day both simulate) counts as later than any day, so a median is \"never\" when more than half never see "
            f"it; a shift to or from never is a bound, never standing for {day(c.date + dt.timedelta(days=1))} (≥: at least that "
            f"many days later in B; ≤: at most, that is earlier); an interval is left out ('{NOT_GIVEN}') when a resample's median "
            "is never. These intervals are one by one, not joint: among many shifts a few leave out 0 by chance.")


def _same_dates(same: int) -> str:
    """How many of the dated outcomes kept their median date, as a sentence ('0 have the same' read as a count of
    nothing)."""
    return ("None has the same median date in both." if same == 0 else
            f"{same} {'has' if same == 1 else 'have'} the same median date in both.")


def _plus(days: str, plus: bool) -> str:
    """``days`` (a shift written by :func:`_shift_days`) with a '+' before a later date's, if ``plus``: not before
    "0", a negative shift, or a left-out interval."""
    return f"+{days}" if plus and days[0].isdigit() and any(ch in "123456789" for ch in days) else days


def _shift_days(days: float) -> str:
    """An end of a date shift's interval in days, as its shift is written: whole days ("-3"), a tenth only where the
    bootstrap fell between two (as a number of days, 0 was "0.000", a share's format, beside "-6.0")."""
    if not np.isfinite(days):
        return NOT_GIVEN
    return f"{days:,.0f}" if days == round(days) else f"{days:,.1f}"


# What each key quantity counts, in words ({start}: A's first day); a comparison keeps the names the CSV and sweeps use.
QUANTITY_KEY = {
    **{f"towns_{h}": f"places held by {DISPLAY_NAMES[h]} that day" for h in HOLDERS},
    "turkish_deaths": "Turkish soldiers killed since {start}",
    "displaced": "civilians displaced since {start}",
    "returned": "civilians gone back home since {start}",
    **{f"casualties_{h}": f"fighters lost by {DISPLAY_NAMES[h]} since {{start}}" for h in HOLDERS},
    "violations": "attacks against the deal current that day, since it was made",
    "patrol_coverage_mean": "the mean share of the route the joint patrols covered",
}


def _quantities_key(c: Comparison) -> list[str]:
    """The paragraph under the key quantities: what each counts, since when, and that casualties are bookkeeping."""
    start = day(c.a.results.start)
    named = [f"`{d.name}` {QUANTITY_KEY[d.name].format(start=start)}" for d in c.quantities if d.name in QUANTITY_KEY]
    if not named:
        return []
    text = "; ".join(named) + "."
    if any(d.name.startswith("casualties_") for d in c.quantities):
        text += (" Casualties are strength points lost, counted as fighters: the model's bookkeeping, not estimates, "
                 "and partial under a ceasefire (only the raids and ambushes that break it kill anyone).")
    return ["", text]


def _median_words(d: DateShift, days: float) -> str:
    """A date shift's median as a reader reads it ('5 Feb 2020'), or "never" (the CSV keeps :meth:`DateShift.date`'s ISO)."""
    return day(d.origin + dt.timedelta(days=int(days))) if np.isfinite(days) else "never"


def _same_runs(c: Comparison) -> list[str]:
    """The paragraph saying that B is A in every replicate, when it is: a page of zeros otherwise reads like a finding
    ("the convoys did not matter") where the model never felt the change."""
    if not c.same_runs:
        return []
    ra, rb = c.a.results, c.b.results
    # Across a parameter set each replicate ran its row's values: its manifest's hash and values are not its runs'.
    varied = any("parameter_set" in r.manifest for r in (ra, rb))
    same_hash = bool(ra.manifest.get("content_hash")) and ra.manifest.get("content_hash") == rb.manifest.get("content_hash")
    same_inputs = not varied and (same_hash or _same_but(ra.manifest, rb.manifest, length=False))
    same_folder = ra.path is not None and rb.path is not None and ra.path.resolve() == rb.path.resolve()
    if same_folder or same_inputs:  # (runs made in memory, by the app, carry no hash and may have no folder)
        what = "the same folder" if same_folder else "runs of the same inputs (scenario and values)"
        return [f"**A and B are {what}**, on the same seeds: there is no change between them to compare, and every "
                "B - A below is zero by construction.", ""]
    if not varied and _same_but(ra.manifest, rb.manifest, length=True):  # (--days): no what-if for the model to feel, as below says
        shorter = "A" if ra.manifest["end"] < rb.manifest["end"] else "B"
        return [f"**A and B are runs of the same inputs (scenario and values) but for their length**, on the same seeds: "
                f"{shorter} stops on {day(c.date)}, and up to that day every B - A below is zero by construction.", ""]
    if not c.differs_in:
        return [f"**B and A are identical in every replicate**: each run of B is its paired run of A on every day up to "
                f"{day(c.date)} (who holds each town, and every daily quantity recorded), so the change made no difference in "
                "these runs: every B - A below is zero because the model never felt it. scenarios/README.md says what "
                "each key of a scenario changes in the model.", ""]
    series = ", ".join(c.differs_in)
    return [f"**B and A are identical in every replicate** in who holds each town on every day up to {day(c.date)} and in every "
            f"quantity below; they differ only in {series}. The change reached that and nothing the scores, outcomes and "
            "towns below measure: every B - A is zero because of the model, not by chance. scenarios/README.md says what "
            "each key of a scenario changes in the model.", ""]


def _same_but(a: dict, b: dict, *, length: bool) -> bool:
    """Whether two manifests record the same scenario, values and input files but for the seed of replicate 0
    (``--seed``, which the inputs' hash holds: a replicate depends on its own seed alone, and a comparison pairs those
    both ran) and, with ``length``, the last day (``--days``, which also drops the events dated after it)."""
    if not a.get("parameters") or not b.get("parameters") or a.get("input_sha256") != b.get("input_sha256"):
        return False
    end = min(a["parameters"]["end"], b["parameters"]["end"])
    cut = [{**p, "seed": None, **({"end": None, "events": [e for e in p.get("events", []) if str(e.get("date")) <= end]}
                                  if length else {})} for p in (a["parameters"], b["parameters"])]
    return cut[0] == cut[1]


def _coverage(c: Comparison, csv_name: str) -> str:
    """What the scores were computed on: the outcomes both cover, up to which day, and how many were left out."""
    n = len(c.outcomes)
    text = f"Headline scores and outcomes are scored on the {n} outcome{'s' * (n != 1)} both runs cover"
    if c.cut is not None:
        text += f", {c.cut}'s replicates up to {day(c.date)} (the last day both simulate)"
    only = [(side, len(d) - len(c.redefined)) for side, d in (("A", c.only_a), ("B", c.only_b))]
    left = [f"{k} outcome{'s' * (k != 1)} only {side} covers" for side, k in only if k]
    if c.redefined:
        k = len(c.redefined)
        left.append(f"{k} outcome{'s' * (k != 1)} that A's and B's outcomes files define differently under the same id")
    if left:
        verb = "is" if sum(k for _, k in only) + len(c.redefined) == 1 else "are"
        text += f"; {' and '.join(left)} {verb} left out (listed in {csv_name})"
    return text + "." + _outcomes_files(c)


def _outcomes_files(c: Comparison) -> str:
    """A sentence naming the outcomes file each side was scored against, when they differ (nothing when they are the
    same file or the same content): each folder is scored against the outcomes.yaml beside its own claims record."""
    a, b = c.a, c.b
    if not (a.outcomes_hash and b.outcomes_hash) or a.outcomes_hash == b.outcomes_hash:
        return ""
    return f" A was scored against {a.outcomes_file}, B against {b.outcomes_file}: the two files differ."


# comparison.csv's columns saying that A's (B's) value is a lower bound: the .md's "≥", as Difference's fields say it.
BOUND_COLUMNS = ["a_lower_bound", "b_lower_bound"]


def _differences(diffs: list[Difference], label: str, *, note: bool | None = None, bounds: bool = False) -> pd.DataFrame:
    """One row per difference; a note column (why one is not given) if ``note``, or by default if any row has one;
    with ``bounds``, the :data:`BOUND_COLUMNS`."""
    columns = [label, "A", "B", "B - A", "low", "high"]
    if note or (note is None and any(d.note for d in diffs)):
        columns.append("note")
    if bounds:
        columns += BOUND_COLUMNS
    rows = [{label: d.name, "A": d.a, "B": d.b, "B - A": d.diff, "low": d.low, "high": d.high, "note": d.note,
             "a_lower_bound": d.a_lower_bound, "b_lower_bound": d.b_lower_bound} for d in diffs]
    return pd.DataFrame(rows, columns=columns)


def comparison_table(c: Comparison) -> pd.DataFrame:
    """Every difference in one long table, the one ``python -m sim compare A B`` writes to ``comparison_vs_<A>.csv``.

    Its columns: ``section`` (score, outcome, quantity, town_p_regime, date_shift), ``name``, ``A``, ``B``,
    ``B - A``, the interval's ``low`` and ``high``, a ``note`` where a difference is not given (the outcomes only
    one of them covers are listed here, with a note, under "outcome"), and whether A's and B's value is a lower bound
    (:data:`BOUND_COLUMNS`: a capture MAE counting a capture that never comes; false in every row that is no score).
    From Python: ``sim.comparison_table(sim.compare(card_a, card_b))``, as ``sim.outcome_table(card)`` is one folder's
    ``comparison.csv``.

    Raises:
        InputError: ``c`` is not a :class:`~sim.analysis.comparison.Comparison` (a Scorecard raised an AttributeError).
    """
    if not isinstance(c, Comparison):
        raise InputError(None, "needs the Comparison that sim.compare(card_a, card_b) returns (one folder's table is "
                         f"sim.outcome_table(card)) (got a {type(c).__name__})", key="comparison")
    frames = [_differences(d, "name", note=True, bounds=True).assign(section=s) for s, d in
              (("score", c.headlines), ("outcome", [*c.outcomes, *c.only_a, *c.only_b]), ("quantity", c.quantities))]
    towns = c.towns.rename(columns={"town": "name", "p_regime_a": "A", "p_regime_b": "B", "diff": "B - A"}).assign(section="town_p_regime")
    dates = pd.DataFrame([{"section": "date_shift", "name": d.name, "A": d.a if np.isfinite(d.a) else np.nan,
                           "B": d.b if np.isfinite(d.b) else np.nan, "B - A": d.diff, "low": d.low, "high": d.high,
                           "note": _date_note(d)} for d in c.dates], columns=["section", "name", "A", "B", "B - A", "low", "high", "note"])
    out = pd.concat([*frames, towns, *([dates] if len(dates) else [])], ignore_index=True)
    out[BOUND_COLUMNS] = out[BOUND_COLUMNS].eq(True)  # the towns' and dates' rows: not bounds (blank after the concat)
    return out[["section", "name", "A", "B", "B - A", "low", "high", "note", *BOUND_COLUMNS]]


def _date_note(d: DateShift) -> str:
    """A date_shift row's note in comparison.csv: its A and B are the median days after A's start (blank: never)."""
    text = f"median date, days after {d.origin}: A {d.date(d.a)}, B {d.date(d.b)}"
    if d.bound is not None:
        text += f"; B - A {'at least' if np.isfinite(d.a) else 'at most'} {d.bound:g} days (never: after {d.last})"
    elif not np.isfinite(d.a):
        text += f" (never in either by {d.last})"
    return text

