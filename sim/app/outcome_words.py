"""The scorecard in words, for the page: each outcome by its description, what the record reports and what
the replicates show, with the factions' display names and dates that do not break over lines.

The numbers are the scorecard's (:mod:`sim.analysis.scoring`), the ones ``python -m sim compare`` prints and
``outcomes.csv`` holds; only the wording differs: ``outcomes.csv`` and the command line keep the ids and codes
that files and scripts match on.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..analysis.outcomes import (
    SET_WORDS,
    CaptureOutcome,
    ConditionOutcome,
    ControllerOutcome,
    EventOutcome,
    FrontOutcome,
    OutcomeBase,
    QuantityOutcome,
    RoadOutcome,
)
from ..analysis.outcome_answers import answer, short_number
from ..analysis.report import LOWER_BOUND, markdown_table, misses_shown, why_not_given
from ..analysis.scoring import OutcomeScore, Scorecard, control_misses
from ..io.theatre import Theatre
from ..names import DISPLAY_NAMES, date_words
from .breaks import exactly
from .typeset import months_in_full

NBSP = "\u00a0"  # between a date's parts: a narrow column breaks between dates, not inside one
VARIABLES = {"displaced": "people displaced", "returned": "people gone back home", "turkish_deaths": "Turkish soldiers killed",
             "patrol_coverage": "share of the patrol route covered"}


def day(d: dt.date | None) -> str:
    """'28 January 2020' (as the page's prose writes dates), unbreakable."""
    return "never" if d is None else date_words(d).replace(" ", NBSP)


def span(a: dt.date, b: dt.date) -> str:
    return f"{day(a)} – {day(b)}"


def who(code: str) -> str:
    return DISPLAY_NAMES.get(code, code)


def number(x: float, o: OutcomeBase) -> str:
    if isinstance(o, QuantityOutcome) and o.variable == "patrol_coverage" or isinstance(o, FrontOutcome):
        return f"{x:.0%}"
    return short_number(x)


def event_words(event: str) -> str:
    """'truce_broken' as 'the truce broken', 'turkish_losses' as 'Turkish losses'."""
    return event.replace("_", " ").replace("turkish", "Turkish")


def reported(o: OutcomeBase) -> str:
    """What the record reports, in words."""
    match o:
        case ControllerOutcome():
            return f"{who(o.controller)} on {day(o.date)}"
        case FrontOutcome():
            return f"the front of {day(o.reference)}: at least {o.min_accuracy:.0%} of its towns held as reported"
        case CaptureOutcome():
            cut = f", not before {day(o.cut)}" if o.cut is not None else ""  # an 'after' cutting the window's early side
            return f"taken by {who(o.by)} on {day(o.reported)} (± {o.tolerance_days} days{cut})"
        case RoadOutcome():
            return f"all held by {who(o.by)} by {day(o.reported)} (± {o.tolerance_days} days)"
        case EventOutcome():
            cut = f", not before {day(o.cut)}" if o.cut is not None else ""  # as a capture's
            return f"{event_words(o.event)} on {day(o.reported)} (counted {span(*o.window)}{cut})"
        case QuantityOutcome():
            what = VARIABLES.get(o.variable, o.variable.replace("_", " "))
            figure = f"{number(o.reported, o)} " if o.reported is not None else ""
            return f"{figure}{what} on {day(o.date)} (counted {number(o.range[0], o)} to {number(o.range[1], o)})"
        case ConditionOutcome():
            return f"at most {o.max_captures} changes of hands, {span(*o.period)}"
    return ""


def simulated(s: OutcomeScore) -> str:
    """What the replicates show, in words: the median and 5–95% range, the dates, or each faction's share."""
    a, o = answer(s), s.outcome
    if isinstance(o, ControllerOutcome):
        return ", ".join(f"{who(h)} in {share:.0%}" for h, share in a.shares.items())
    if isinstance(o, CaptureOutcome | RoadOutcome | EventOutcome):
        if a.never == a.n:  # a median of None alone says only that more than half never see it
            return "never"
        text = day(a.middle) + (f" ({span(a.low, a.high)})" if a.low is not None else "")
        return text + (f"; never in {a.never} of {a.n}" if a.never else "")
    if np.isnan(a.middle):
        return "none"
    text = number(a.middle, o) + (f" ({number(a.low, o)} to {number(a.high, o)})" if a.n > 1 and a.low != a.high else "")
    return text + (" of its towns as reported" if isinstance(o, FrontOutcome) else "") + (f"; none in {a.none} of {a.n}" if a.none else "")


def frozen(s: OutcomeScore) -> str:
    """What the front frozen at the start shows for the outcome, in words."""
    value, o = s.baseline.value, s.outcome
    if value is None:
        return "never"
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, str):
        return who(value)
    return "none" if np.isnan(value) else number(float(value), o)


def described(o: OutcomeBase, theatre: Theatre | None = None) -> str:
    """The outcome's description, its dates ('by 2019-12-29', 'around 16 Jan 2020') written as the table's other dates
    are, and the theatre's posts by their place rather than their id ('astana-06' as 'Surman (al-Sirman)')."""
    text = re.sub(r"\b(\d{4})-(\d\d)-(\d\d)\b", lambda m: day(dt.date(*map(int, m.groups()))), o.description)
    text = months_in_full(text, NBSP)
    for post in theatre.posts if theatre is not None else ():
        if post.id in text:
            name = post_name(post.name)  # (a function, not a template: a '\' in the name is the name's)
            text = re.sub(rf"(?<![\w-]){re.escape(post.id)}(?![\w-])", lambda _, name=name: name, text)
    return text


def post_name(name: str) -> str:
    """A post's name from the post table without its word 'post' or 'observation post' (the sentence says 'post'),
    wherever the table puts it: 'Maar Hattat post on the M5' as 'Maar Hattat on the M5', 'Post east of Saraqib' as
    'east of Saraqib' ('The Turkish post east of Saraqib'), not 'The Turkish post Maar Hattat post on the M5'."""
    short = re.sub(r"(?<![\w-])(observation\s+)?post(?![\w-])", "", name.strip(), count=1, flags=re.IGNORECASE)
    short = re.sub(r"\s+(?=[,;])", "", re.sub(r"\s{2,}", " ", short)).strip()  # 'Mardikh post, S of' as 'Mardikh, S of'
    return short if re.search(r"\w", short) else name


def left_aligned(table: str, columns: tuple[str, ...] | None = None) -> str:
    """A pipe table with its text columns (or only ``columns``) set to the left: ``markdown_table`` leaves their
    alignment to the page, which sets every cell to the right. Numbers stay on the right."""
    lines = table.split("\n")
    names = [c.strip() for c in lines[0].strip("|").split("|")]
    rule = lines[1].strip("|").split("|")
    lines[1] = "|" + "|".join(c if c.endswith(":") or (columns is not None and name not in columns) else ":" + c[1:]
                              for name, c in zip(names, rule, strict=True)) + "|"
    return "\n".join(lines)


# The range in the outcomes' header, whole on its line: a phone's column broke it after its dash ('5–' over '95%)').
RANGE = "5\u2060–\u206095%"  # word joiners either side of the dash


def outcomes_markdown(card: Scorecard) -> str:
    """Every scored outcome as a table of words: description, fitted or held out, reported, simulated, P(met),
    and the frozen front (the words of the outcomes' file as they are, :func:`~sim.app.breaks.exactly`)."""
    rows = [{
        "outcome": exactly(described(s.outcome, card.results.theatre)),
        "set": exactly(SET_WORDS.get(s.outcome.set, s.outcome.set)),
        "reported": exactly(reported(s.outcome)),
        f"simulated (median, {RANGE})": simulated(s),
        "P(met)": s.p_met,
        "frozen front": exactly(frozen(s)),
        "frozen front meets it": s.baseline.met,
    } for s in card.scores]
    return left_aligned(markdown_table(pd.DataFrame(rows)))


def misses_markdown(card: Scorecard, shown: int = 15) -> str:
    """The towns the replicates most often get wrong (:func:`~sim.analysis.scoring.control_misses`), the worst
    ``shown``, in words: where not to trust the runs, and which way they err."""
    if not card.pair_places:
        return ""
    misses = control_misses(card)
    # Counted as times, not towns: a town may be reported on several dates (the campaign's 166 are 165 towns).
    head = (f"**Towns the runs most often get wrong**: of the {len(card.pair_places)} times the record says who held a "
            "town (on a date), those a quarter of the replicates or more get wrong" + (f", the {shown} worst" if len(misses) > shown else ""))
    if misses.empty:
        return f"{head}: none."
    table = misses_shown(misses.head(shown), day, DISPLAY_NAMES.get).assign(set=lambda t: t["set"].map(SET_WORDS.get),
                                                                             town=lambda t: t["town"].map(exactly))
    table = table.rename(columns={"date": "on", "reported": "the record", "runs right": "replicates right"})
    return f"{head}\n\n" + left_aligned(markdown_table(table))


# What each headline score measures, in a line (sim.analysis.scoring computes them).
SCORE_MEANINGS = {
    "outcomes met": "the share of the outcomes below that a replicate meets, averaged over the replicates; higher is better",
    "control accuracy": "the share of the record's (town, date) controllers a replicate gets right, averaged; higher is better",
    "Brier": "how far the share of replicates giving each faction a town is from the record, on the same towns and dates: "
             "0 is perfect, 2 the worst; lower is better",
    "capture MAE (days)": "the mean error, in days, of the dated changes of hands (one that never comes counts as the day "
                          "after the run ends, and ≥ marks the figure then a lower bound); lower is better",
}


def scores_markdown(card: Scorecard) -> str:
    """The headline scores on every outcome and on each set apart (fitted, held out), the model's and the frozen
    front's, as ``compare`` gives them, and what each score measures."""
    groups = {f"all {len(card.scores)} outcomes": card}
    groups |= {f"{name}: {len(sub.scores)} {SET_WORDS[name]}": sub for name, sub in card.sets.items()}
    rows, decimals, marks = [], [], {}  # one format a score, as compare's: a frozen front's Brier read 1.4 beside 0.188
    for score in SCORE_MEANINGS:
        for side, first in (("model", score), ("frozen front", "")):
            row = {"score": first, "": side}
            for label, sub in groups.items():
                row[label] = sub.headline()[score] if side == "model" else sub.baseline[score]
                if score == "capture MAE (days)" and sub.mae_is_lower_bound(baseline=side != "model"):
                    marks[len(rows), label] = LOWER_BOUND
            rows.append(row)
            decimals.append(1 if score.endswith("(days)") else 3)
    missing = [score for score in SCORE_MEANINGS if np.isnan(card.headline()[score])]
    why = why_not_given(missing, mark="**") + " " if missing else ""
    sets = ("*Calibration* outcomes are those the parameters were fitted to; *validation* outcomes were held out "
            "of the fitting, so their column is the fairer test. ") if card.sets else ""
    return ("**Headline scores: the model against the front frozen on the first day**\n\n"
            + left_aligned(markdown_table(pd.DataFrame(rows), decimals, marks=marks))
            + "\n\n" + why + sets + "The frozen front is the front of the first day left as it is: a model with skill beats it.\n\n"
            + "\n".join(f"- **{score}**: {meaning}" for score, meaning in SCORE_MEANINGS.items()))
