"""A scorecard as text (the terminal table, comparison.md of one folder), the markdown tables of every report, and
writing a report's markdown and CSV (:mod:`~sim.analysis.comparison_report` writes two folders' comparison).

The text writes dates as readers read them ('5 Feb 2020', :func:`sim.names.date_words`); the CSV keeps them ISO, as data.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from ..io.files import table_text, write_atomic
from ..io.outputs import claim_file
from ..io.signatures import signed_markdown
from ..names import replicates
from .outcome_answers import outcome_table
from .scoring import BOUND, TIED, Scorecard, control_misses, headline_bounds, headline_table
from .summary import day


# The outcomes a scorecard names as not scored: a later scenario leaves out most of the record (moscow.yaml, 176), and
# a line of 176 ids buries the table above it; the count says how many.
NOT_SCORED_NAMED = 5
ERROR_HEADER = "|date error| d"
LOWER_BOUND = "≥ "  # before a mean error that counts a date that never comes as the day after the run ends
# A value that cannot be given (a score no outcome in the window measures, an interval a resample cannot give), in every
# table of every report and of the app's page: the app's comparison wrote '–' where its Ensemble tab wrote '-'.
NOT_GIVEN = "-"


# Why a headline score is not given (NOT_GIVEN) for a scorecard: what it would need that the outcomes in the window lack.
WHY_NOT_GIVEN = {
    "outcomes met": "no outcome falls in the simulated window",
    "control accuracy": "none of the outcomes in the window reports who holds a town on a date",
    "Brier": "none of the outcomes in the window reports who holds a town on a date",
    "capture MAE (days)": "none of the outcomes in the window is a dated change of hands",
}


def why_not_given(missing: list[str], mark: str = "") -> str:
    """Why each of the headline scores ``missing`` is not given (:data:`NOT_GIVEN`), one sentence a reason: control
    accuracy and Brier want the same outcomes, and Moscow's scorecard said so twice in the same words. ``mark`` wraps
    each score's name (``"**"``: bold in Markdown)."""
    by_reason: dict[str, list[str]] = {}
    for score in missing:
        by_reason.setdefault(WHY_NOT_GIVEN[score], []).append(f"{mark}{score}{mark}")
    return " ".join(f"{' and '.join([', '.join(names[:-1]), names[-1]] if len(names) > 1 else names)} "
                    f"{'is' if len(names) == 1 else 'are'} not given ({NOT_GIVEN}): {reason}."
                    for reason, names in by_reason.items())


def markdown_table(frame: pd.DataFrame, decimals: list[int] | None = None, column_decimals: dict[str, int] | None = None,
                   marks: dict[tuple[int, str], str] | None = None, right: Collection[str] = ()) -> str:
    """A pipe table that reads well both in a terminal and rendered; a pipe inside a cell or a column's name is
    escaped ("\\|"), as Markdown needs it to be: a bare one starts a new cell (the `|date error| d` header
    made 11 cells over a rule of 9, and the table did not render).

    Args:
        frame: the table.
        decimals: the decimals of each row's numbers, one format a row (default: each number by its own size).
        column_decimals: the decimals of the numbers of the columns it names, one format a column (before ``decimals``).
        marks: text put before the cells it names, by (row position, column): ``"≥ "`` before a number that is a lower
            bound ("≥ 7.2"); the column stays a column of numbers, right-aligned.
        right: the columns of text right-aligned as numbers are, padded and with a '---:' rule: a mean written
            beside how many runs lack one ("10.5; never in 2/8") stood to the left, rendered, beside the numbers.
    """
    rows = frame.itertuples(index=False)
    by_column = [(column_decimals or {}).get(c) for c in frame.columns]
    marks = marks or {}
    cells = [[_escaped(marks.get((k, name), "") + _cell(v, d if c is None else c))
              for v, c, name in zip(row, by_column, frame.columns, strict=True)]
             for k, (row, d) in enumerate(zip(rows, decimals or [None] * len(frame), strict=True))]
    header = [_escaped(str(c)) for c in frame.columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    numeric = [c in right or pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]

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
            return NOT_GIVEN
        text = f"{value:,.{decimals_for(abs(value)) if decimals is None else decimals}f}"
        # A value that rounds to zero loses its sign: an interval's -0.04 in tenths read "-0.0".
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text
    return str(value)


def decimals_for(size: float) -> int:
    """Decimals for a number of ``size``: 3 for a share or a probability, 1 up to a thousand, none above (no tenths
    of a person)."""
    return 3 if size <= 1 else 1 if size < 1000 else 0


def score_decimals(scores: list[str]) -> list[int]:
    """One format for each headline score's row: days in tenths, the shares and the Brier score in thousandths (a
    frozen front's Brier of 1.4 stood beside the model's 0.281)."""
    return [1 if score.endswith("(days)") else 3 for score in scores]


def scorecard_text(card: Scorecard) -> str:
    r = card.results
    runs = len(r.runs)
    missing = [score for score in WHY_NOT_GIVEN if math.isnan(card.headline()[score])]
    headlines = headline_table(card)  # its lower bounds marked "≥" in their own cells, not by its columns saying so
    headlines = headlines.drop(columns=[c for c in headlines if c.endswith(BOUND)])
    lines = [
        f"# {r.name} against {card.outcomes_named or 'the record'}",
        "",
        replicates(runs) + ("" if r.complete else f" (of {r.expected} asked for: the ensemble is unfinished)")
        + f", {day(r.start)} .. {day(r.end)}; baseline: the front frozen on {day(r.start)}.",
        "",
        "## Headline scores",
        "",
        markdown_table(headlines, score_decimals(headlines["score"].tolist()),
                       marks=dict.fromkeys(bounds := headline_bounds(card), LOWER_BOUND)),
        *(["", why_not_given(missing)] if missing else []),
        *(["", f"{LOWER_BOUND.strip()}: a lower bound: a change of hands the capture MAE counts never comes in some "
           "replicates (in the frozen front, which takes nothing, in all), and one that never comes counts as the day "
           "after the run ends."] if bounds else []),
        "",
        "## Outcomes",
        "",
        # The lower bounds are marked "≥" in their own cells, as the headline table's are, not given a column of their own.
        markdown_table(outcome_table(card, words=True).drop(columns=["description", "date_error_lower_bound", "source"])
                       .rename(columns={"p_met": "P(met)", "date_error_days": ERROR_HEADER, "baseline_met": "baseline met"}),
            column_decimals={ERROR_HEADER: 1},
            marks={(k, ERROR_HEADER): LOWER_BOUND for k, s in enumerate(card.scores) if s.never_seen}),
    ]
    if any(s.never_seen for s in card.scores):
        lines += ["", "≥: some replicates never saw it, and a date that never comes counts as the day after the run ends, "
                  "so the mean |date error| is a lower bound."]
    lines += _misses(card)
    if card.skipped:
        ids, k = [o.id for o in card.skipped], NOT_SCORED_NAMED
        named = ", ".join(ids[:k]) + (f" and {len(ids) - k} more" if len(ids) > k else "")
        lines += ["", f"Not scored: {len(ids)} outcome{'s' * (len(ids) != 1)} outside the simulated window ({named})."]
    return "\n".join(lines) + "\n"


def _holders(n: int) -> str:
    """'the 166 holders', or 'the one holder' ('the 1 holders' read wrong)."""
    return "the one holder" if n == 1 else f"the {n} holders"


def _misses(card: Scorecard, shown: int = 15) -> list[str]:
    """Where the runs most often have the wrong holder (:func:`~sim.analysis.scoring.control_misses`), the worst
    ``shown``: the towns behind a control accuracy short of 1."""
    if not card.pair_places:
        return []
    misses, pairs = control_misses(card), len(card.pair_places)
    lines = ["", "## Towns the runs most often get wrong", ""]
    if misses.empty:
        return [*lines, f"Of {_holders(pairs)} the record gives (a town on a date), none is wrong in a quarter of the "
                "replicates or more."]
    lines.append(f"Of {_holders(pairs)} the record gives (a town on a date: those control accuracy counts), the "
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


def write_report(folder: Path, stem: str, text: str, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write ``<stem>.md`` and ``<stem>.csv`` into ``folder``, each atomically.

    An existing file is replaced only if the simulator provably wrote it, in its own folders as elsewhere
    (:func:`sim.io.outputs.claim_file`).
    """
    md, csv = claim_file(folder / f"{stem}.md"), claim_file(folder / f"{stem}.csv")
    write_atomic(md, signed_markdown(text))  # its mark vouches for the CSV beside it too
    write_atomic(csv, table_text(table))
    return md, csv
