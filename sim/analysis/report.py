"""Scorecards and comparisons as text: the terminal table, comparison.md and comparison.csv.

The text writes dates as readers read them ('5 Feb 2020', :func:`sim.names.date_words`); the CSV keeps them ISO, as data.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..io.files import table_text, write_atomic
from ..io.outputs import claim_file
from ..io.signatures import signed_markdown
from ..names import DISPLAY_NAMES, HOLDERS, replicates
from .bootstrap import INTERVAL, MIN_REPLICATES
from .comparison import Comparison, DateShift, Difference
from .scoring import TIED, Scorecard, control_misses, headline_table, outcome_table
from .summary import day


# The outcomes a scorecard names as not scored: a later scenario leaves out most of the record (moscow.yaml, 176), and
# a line of 176 ids buries the table above it; the count says how many.
NOT_SCORED_NAMED = 5
ERROR_HEADER = "|date error| d"


# Why a headline score is not given ('-') for a scorecard: what it would need that the outcomes in the window lack.
WHY_NOT_GIVEN = {
    "outcomes met": "no outcome falls in the simulated window",
    "control accuracy": "none of the outcomes in the window reports who holds a town on a date",
    "Brier": "none of the outcomes in the window reports who holds a town on a date",
    "capture MAE (days)": "none of the outcomes in the window is a dated change of hands",
}


def markdown_table(frame: pd.DataFrame, decimals: list[int] | None = None, column_decimals: dict[str, int] | None = None) -> str:
    """A pipe table that reads well both in a terminal and rendered; a pipe inside a cell or a column's name is
    escaped ("\\|"), as Markdown needs it to be: a bare one starts a new cell (the `|date error| d` header
    made 11 cells over a rule of 9, and the table did not render).

    Args:
        frame: the table.
        decimals: the decimals of each row's numbers, one format a row (default: each number by its own size).
        column_decimals: the decimals of the numbers of the columns it names, one format a column (before ``decimals``).
    """
    rows = frame.itertuples(index=False)
    by_column = [(column_decimals or {}).get(c) for c in frame.columns]
    cells = [[_escaped(_cell(v, d if c is None else c)) for v, c in zip(row, by_column, strict=True)]
             for row, d in zip(rows, decimals or [None] * len(frame), strict=True)]
    header = [_escaped(str(c)) for c in frame.columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2)) for w, num in zip(widths, numeric, strict=True)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in cells)])


def _escaped(text: str) -> str:
    return text.replace("|", "\\|")


def _cell(value: object, decimals: int | None = None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.{decimals_for(abs(value)) if decimals is None else decimals}f}"
    return str(value)


def decimals_for(size: float) -> int:
    """Decimals for a number of ``size``: 3 for a share or a probability, 1 up to a thousand, none above (no tenths
    of a person)."""
    return 3 if size <= 1 else 1 if size < 1000 else 0


def _score_decimals(scores: list[str]) -> list[int]:
    """One format for each headline score's row: days in tenths, the shares and the Brier score in thousandths (a
    frozen front's Brier of 1.4 stood beside the model's 0.281)."""
    return [1 if score.endswith("(days)") else 3 for score in scores]


def _row_decimals(diffs: list[Difference]) -> list[int]:
    """One format for each quantity's row, the one its larger mean (A or B) needs: a row read 39.4, -2.8 and -0.875,
    another 22,757 and 451.4, as each number was formatted by its own size."""
    return [decimals_for(max((abs(v) for v in (d.a, d.b) if not math.isnan(v)), default=0.0)) for d in diffs]


def scorecard_text(card: Scorecard) -> str:
    r = card.results
    runs = len(r.runs)
    missing = [score for score in WHY_NOT_GIVEN if math.isnan(card.headline()[score])]
    lines = [
        f"# {r.name} against {card.outcomes_named or 'the record'}",
        "",
        replicates(runs) + ("" if r.complete else f" (of {r.expected} asked for: the ensemble is unfinished)")
        + f", {day(r.start)} .. {day(r.end)}; baseline: the front frozen on {day(r.start)}.",
        "",
        "## Headline scores",
        "",
        markdown_table(headlines := headline_table(card), _score_decimals(headlines["score"].tolist())),
        *(["", " ".join(f"{score} is not given (-): {WHY_NOT_GIVEN[score]}." for score in missing)] if missing else []),
        "",
        "## Outcomes",
        "",
        markdown_table(_bounded_errors(card, outcome_table(card, words=True)).drop(columns=["description", "source"]).rename(columns={
            "p_met": "P(met)", "date_error_days": ERROR_HEADER, "baseline_met": "baseline met"})),
    ]
    if any(_never(s) for s in card.scores):
        lines += ["", "≥: some replicates never saw it, and a date that never comes counts as the day after the run ends, "
                  "so the mean |date error| is a lower bound."]
    lines += _misses(card)
    if card.skipped:
        ids, k = [o.id for o in card.skipped], NOT_SCORED_NAMED
        named = ", ".join(ids[:k]) + (f" and {len(ids) - k} more" if len(ids) > k else "")
        lines += ["", f"Not scored: {len(ids)} outcome{'s' * (len(ids) != 1)} outside the simulated window ({named})."]
    return "\n".join(lines) + "\n"


def _misses(card: Scorecard, shown: int = 15) -> list[str]:
    """Where the runs most often have the wrong holder (:func:`~sim.analysis.scoring.control_misses`), the worst
    ``shown``: the towns behind a control accuracy short of 1."""
    if not card.pair_places:
        return []
    misses, pairs = control_misses(card), len(card.pair_places)
    lines = ["", "## Towns the runs most often get wrong", ""]
    if misses.empty:
        return [*lines, f"Of the {pairs} holders the record gives (a town on a date), none is wrong in a quarter of the "
                "replicates or more."]
    lines.append(f"Of the {pairs} holders the record gives (a town on a date: those control accuracy counts), the "
                 f"{len(misses)} that a quarter of the replicates or more get wrong"
                 + (f", the {shown} worst shown" if len(misses) > shown else "") + ":")
    return [*lines, "", markdown_table(misses_shown(misses.head(shown), day, str))]


def misses_shown(misses: pd.DataFrame, date_text, holder_text) -> pd.DataFrame:  # noqa: ANN001 - a date's, a holder's writer
    """:func:`~sim.analysis.scoring.control_misses` as the report shows them (the app in its words): shares as percent,
    the holder instead with its share (holders tied for it both, "hts / rebels (40% each)"), dates and holders written
    by ``date_text`` and ``holder_text``."""
    def instead(holders: str, share: float) -> str:
        tied = holders.split(TIED)
        return f"{TIED.join(holder_text(h) for h in tied)} ({share:.0%}{' each' if len(tied) > 1 else ''})"

    return pd.DataFrame({"town": misses["town"], "set": misses["set"], "date": misses["date"].map(date_text),
                         "reported": misses["reported"].map(holder_text), "runs right": misses["right"].map("{:.0%}".format),
                         "most often instead": [instead(h, x) for h, x in zip(misses["instead"], misses["instead_share"],
                                                                              strict=True)]})


def _never(score) -> bool:  # noqa: ANN001 - a sim.analysis.scoring.OutcomeScore
    """Whether some replicate never shows a dated outcome (its error then counts the day after the run's end)."""
    return score.abs_error is not None and any(c.value is None for c in score.checks)


def _bounded_errors(card: Scorecard, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its date errors as text, a lower bound marked "≥ " (an outcome simulated "never" read "1.0 d",
    as if nearly right); the numbers themselves are unchanged (and stay numbers in the CSV)."""
    cells = [("≥ " if _never(s) else "") + (f"{e:,.1f}" if not math.isnan(e) else "-")
             for s, e in zip(card.scores, table["date_error_days"], strict=True)]
    width = max([len(c) for c in cells] + [len(_escaped(ERROR_HEADER))])  # right-aligned, as the numbers were
    return table.assign(date_error_days=[c.rjust(width) for c in cells])


def comparison_text(c: Comparison, *, towns_shown: int = 15, csv_name: str = "comparison.csv") -> str:
    """The comparison as markdown; ``csv_name`` is the file :func:`comparison_csv`'s table is written to, which the
    text points to for what it leaves out (the command line writes ``comparison_vs_<A>.csv``; the app downloads
    ``comparison.csv``)."""
    a, b = c.a.results, c.b.results
    how = "paired (same seeds)" if c.paired else "independent replicates"
    named = {c.a.outcomes_named, c.b.outcomes_named}  # one file given for both (--outcomes): named in the title
    lines = [
        f"# {b.name} vs {a.name}" + (f", against {named.pop()}" if len(named) == 1 and None not in named else ""),
        "",
        f"A = {a.label}, B = {b.label}; differences are B - A with {round(100 * INTERVAL)}% bootstrap intervals, {how}."
        if c.intervals else f"A = {a.label}, B = {b.label}; differences are B - A, without intervals ('-'): intervals need at "
        f"least {MIN_REPLICATES} replicates in each (run --runs {MIN_REPLICATES} or more).",
        "",
        *_same_runs(c),
        _coverage(c, csv_name),
        "",
        "## Headline scores against the record",
        "",
        markdown_table(_differences(c.headlines, "score"), _score_decimals([d.name for d in c.headlines])),
        "",
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
    """The section answering "how much later does Saraqib fall?": the dated outcomes whose median date moved, the
    largest shifts first, a shift to or from "never" given as the bound it is; the rest counted (all in the CSV)."""
    if not c.dates:
        return []
    moved = sorted((d for d in c.dates if d.moved), key=lambda d: -abs(d.diff if d.bound is None else d.bound))
    head = ["## Dates: the median simulated date of each dated outcome (captures, roads, events)", ""]
    same = len(c.dates) - len(moved)
    if not moved:
        return [*head, f"Each of the {len(c.dates)} has the same median date in A and B.", ""]
    rows = [{"outcome": d.name, "A": _median_words(d, d.a), "B": _median_words(d, d.b),
             "B - A (days)": f"{'≥' if np.isfinite(d.a) else '≤'} {d.bound:,.0f}" if d.bound is not None else f"{d.diff:,.0f}",
             "low": _shift_days(d.low), "high": _shift_days(d.high)} for d in moved[:shown]]
    table = pd.DataFrame(rows)
    for column in ("B - A (days)", "low", "high"):  # text, so right-aligned by hand
        width = max(len(column), *(len(v) for v in table[column]))
        table[column] = [v.rjust(width) for v in table[column]]
    more = f"{len(moved) - shown} more moved (every outcome is in {csv_name}); " if len(moved) > shown else ""
    return [*head, markdown_table(table), "",
            f"{more}{same} {'has' if same == 1 else 'have'} the same median date in both. A replicate that never sees an outcome by {day(c.date)} (the "
            "last day both simulate) counts as later than any day, so a median is \"never\" when more than half never see "
            f"it; a shift to or from never is a bound, never standing for {day(c.date + dt.timedelta(days=1))} (≥: at least that "
            "many days later in B; ≤: at most, that is earlier); an interval is left out ('-') when a resample's median "
            "is never. These intervals are one by one, not joint: among many shifts a few leave out 0 by chance.", ""]


def _shift_days(days: float) -> str:
    """An end of a date shift's interval in days, as its shift is written: whole days ("-3"), a tenth only where the
    bootstrap fell between two (as a number of days, 0 was "0.000", a share's format, beside "-6.0")."""
    if not np.isfinite(days):
        return "-"
    return f"{days:,.0f}" if days == round(days) else f"{days:,.1f}"


# What each key quantity counts, in words ({start}: A's first day); a comparison keeps the names the CSV and sweeps use.
QUANTITY_KEY = {
    **{f"towns_{h}": f"places held by {DISPLAY_NAMES[h]} that day" for h in HOLDERS},
    "turkish_deaths": "Turkish soldiers killed since {start}",
    "displaced": "civilians displaced since {start}",
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
    same_inputs = bool(ra.manifest.get("content_hash")) and ra.manifest.get("content_hash") == rb.manifest.get("content_hash")
    same_folder = ra.path is not None and rb.path is not None and ra.path.resolve() == rb.path.resolve()
    if same_folder or same_inputs:  # (runs made in memory, by the app, carry no hash and may have no folder)
        what = "the same folder" if same_folder else "runs of the same inputs (scenario and values)"
        return [f"**A and B are {what}**, on the same seeds: there is no change between them to compare, and every "
                "B - A below is zero by construction.", ""]
    if _same_but_length(ra.manifest, rb.manifest):  # (--days): no what-if for the model to feel, as below says
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


def _same_but_length(a: dict, b: dict) -> bool:
    """Whether two manifests record the same scenario, values and input files but for the last day (``--days``,
    which also drops the events dated after it)."""
    if not a.get("parameters") or not b.get("parameters") or a.get("input_sha256") != b.get("input_sha256"):
        return False
    end = min(a["parameters"]["end"], b["parameters"]["end"])
    cut = [{**p, "end": None, "events": [e for e in p.get("events", []) if str(e.get("date")) <= end]}
           for p in (a["parameters"], b["parameters"])]
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


def _differences(diffs: list[Difference], label: str, *, note: bool | None = None) -> pd.DataFrame:
    """One row per difference; a note column (why one is not given) if ``note``, or by default if any row has one."""
    columns = [label, "A", "B", "B - A", "low", "high"]
    if note or (note is None and any(d.note for d in diffs)):
        columns.append("note")
    rows = [{label: d.name, "A": d.a, "B": d.b, "B - A": d.diff, "low": d.low, "high": d.high, "note": d.note} for d in diffs]
    return pd.DataFrame(rows, columns=columns)


def comparison_csv(c: Comparison) -> pd.DataFrame:
    """Every difference in one long table: section, name, A, B, B - A, interval, and a note where one is not given
    (the outcomes only one of them covers are listed here, with a note, under "outcome")."""
    frames = [_differences(d, "name", note=True).assign(section=s) for s, d in
              (("score", c.headlines), ("outcome", [*c.outcomes, *c.only_a, *c.only_b]), ("quantity", c.quantities))]
    towns = c.towns.rename(columns={"town": "name", "p_regime_a": "A", "p_regime_b": "B", "diff": "B - A"}).assign(section="town_p_regime")
    dates = pd.DataFrame([{"section": "date_shift", "name": d.name, "A": d.a if np.isfinite(d.a) else np.nan,
                           "B": d.b if np.isfinite(d.b) else np.nan, "B - A": d.diff, "low": d.low, "high": d.high,
                           "note": _date_note(d)} for d in c.dates], columns=["section", "name", "A", "B", "B - A", "low", "high", "note"])
    out = pd.concat([*frames, towns, *([dates] if len(dates) else [])], ignore_index=True)
    out = out[["section", "name", "A", "B", "B - A", "low", "high", "note"]]
    return out


def _date_note(d: DateShift) -> str:
    """A date_shift row's note in comparison.csv: its A and B are the median days after A's start (blank: never)."""
    text = f"median date, days after {d.origin}: A {d.date(d.a)}, B {d.date(d.b)}"
    if d.bound is not None:
        text += f"; B - A {'at least' if np.isfinite(d.a) else 'at most'} {d.bound:g} days (never: after {d.last})"
    elif not np.isfinite(d.a):
        text += f" (never in either by {d.last})"
    return text


def write_report(folder: Path, stem: str, text: str, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write ``<stem>.md`` and ``<stem>.csv`` into ``folder``, each atomically.

    An existing file is replaced only if the simulator provably wrote it, in its own folders as elsewhere
    (:func:`sim.io.outputs.claim_file`).
    """
    md, csv = claim_file(folder / f"{stem}.md"), claim_file(folder / f"{stem}.csv")
    write_atomic(md, signed_markdown(text))  # its mark vouches for the CSV beside it too
    write_atomic(csv, table_text(table))
    return md, csv
