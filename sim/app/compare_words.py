"""The "What-if vs baseline" tab's tables in words: what changed, largest first, and how much did not.

The numbers are those of ``python -m sim compare A B`` (:mod:`sim.analysis.comparison`); only the choice and the
wording differ. Its text lists every outcome by id (176 rows in the campaign, most of them 0.000) and the key
quantities by their codes; the page shows the headline scores, the key quantities named in words, only the outcomes
that changed (by their description, largest change first, and a count of the rest) and the ten towns whose chance
of being the government's changed most. The full table, every row, downloads as ``comparison.csv``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..analysis.bootstrap import INTERVAL, MIN_REPLICATES, bootstrap_diff
from ..analysis.comparison import QUANTITIES, Comparison, Difference, patrol_difference
from ..analysis.comparison_report import date_shifts, lower_bounds_words
from ..analysis.report import LOWER_BOUND, NOT_GIVEN, markdown_table
from ..analysis.scoring import LOWER_IS_BETTER
from ..names import DISPLAY_NAMES, HOLDERS, date_words
from .breaks import exactly
from .outcome_words import described, left_aligned
from .typeset import CHANGE, MINUS, typeset

TOWNS_SHOWN = 10
TOWNS_NAMED = 3  # the towns the one-sentence summary names: those whose chance of being the government's changed most
QUANTITY_WORDS = {
    **{f"towns_{h}": f"towns held by {'the ' * (h != 'hts')}{DISPLAY_NAMES[h]}" for h in HOLDERS},
    "turkish_deaths": "Turkish soldiers killed so far",
    "displaced": "people displaced so far",
    "returned": "people gone back home so far",
    **{f"casualties_{h}": f"{DISPLAY_NAMES[h]}: fighters' casualties so far" for h in HOLDERS},
    "violations": "violations of the latest ceasefire so far",  # how they are counted: VIOLATIONS_COUNTED, under the table
    "patrol_coverage_mean": "joint patrols: mean share of the route covered so far",
}
SHARES = ("patrol_coverage_mean",)  # quantities that are shares: shown in %
# Counts of people, in the hundreds to hundreds of thousands: whole in every scenario. By their size they were whole in
# the campaign ('6,950') and took a tenth in Moscow ('641.0', '0.0'). The small counts (towns, Turkish soldiers killed,
# violations) keep a tenth, which tells a mean of 0.9 from 0.
WHOLE = ("displaced", "returned", *(f"casualties_{h}" for h in HOLDERS))
# The columns of what is compared: each says which it is. A phone's narrow column broke "what-if" at its hyphen
# ("what-" over "if (B)"): its hyphen does not break (U+2011), and the header breaks before "(B)".
A, B = "baseline (A)", "what\u2011if (B)"
# Over a column of "lower" and "higher", a phone took this header a word a line (four lines): it breaks before "record"
# alone, on two lines at any width.
CLOSER = "closer\u00a0to\u00a0the record\u00a0when"
WORDED = ("score", CLOSER, "B against A", "outcome", "quantity", "town")  # the text columns: set to the left


def in_words(n: int) -> str:
    """A small count as a reader says it ('ten'); in figures from 13 on."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def intervals_name() -> str:
    return f"{round(100 * INTERVAL)}% interval"


def signed(text: str, x: float) -> str:
    """``text`` (the magnitude of ``x``) with '+' or '−' before it, and no sign where ``text`` rounds to zero
    ('0.0', not '−0.0'): a zero is written in its column's format ('0.000' beside '−0.238', not '0')."""
    return text if not any(ch in "123456789" for ch in text) else ("+" if x > 0 else MINUS) + text


def tenths(values: Iterable[float]) -> int:
    """The decimals of a column of shares in % or of percentage points, one format a column (as ``compare``'s
    tables take one, :func:`sim.analysis.report.markdown_table`'s ``column_decimals``): 1 where any of its numbers
    has a tenth ("92.5%" then "20.0%" under it, where "20%" beside "92.5%" mixed formats), else 0 ("90%", "20%")."""
    return int(any(in_percent(abs(x)) % 1 for x in values if not math.isnan(x)))


def together(changes: list[float], ends: list[float], intervals: bool) -> list[float]:
    """The numbers of B − A's column and, where there are intervals, of its interval's: one format for both (:func:`tenths`),
    as a row of key quantities takes one. Apart, "+20" stood beside "+12.5 to +27.5"."""
    return [*changes, *ends] if intervals else list(changes)


def shown_change(a: float, b: float, digits: int) -> float:
    """B − A as a row shows it: the difference of A and B, each rounded to ``digits`` decimals as its cell shows it,
    so that the cells subtract (132.5, 139.2, +6.7). B − A rounded on its own does not always: 139.25 − 132.5 = 6.75
    read '+6.8' beside 132.5 and 139.2, each rounded half to even on its own, and no one rounding rule keeps three
    numbers rounded apart in agreement. It is off the difference itself by at most one unit of the last digit
    shown; the intervals are those of the difference itself, rounded (as ``compare`` writes them)."""
    # Python's round, as the cells' format rounds: numpy's (np.float64's own round) scales by 10**digits first and
    # rounds 93.55 up to 93.6, where f"{93.55:.1f}" (the binary value is 93.5499...) shows 93.5.
    return round(float(b), digits) - round(float(a), digits)


def shown_share_change(a: float, b: float) -> float:
    """:func:`shown_change` of two shares shown in % (:func:`percent`), as a share (for :func:`points`)."""
    return (in_percent(b) - in_percent(a)) / 100


def in_percent(x: float) -> float:
    """A share in % to a tenth, as every cell of shares and points shows it (rounded as :func:`shown_change` rounds)."""
    return round(float(100 * x), 1)


def percent(x: float, decimals: int = 1) -> str:
    """A share as '33.3%' (or with ``decimals`` 0, '33%')."""
    return f"{in_percent(x):.{decimals}f}%"


def points(x: float, decimals: int = 1) -> str:
    """A change of share in percentage points: '+33.3', '−50.0' (or with ``decimals`` 0, '−50')."""
    return signed(f"{in_percent(abs(x)):.{decimals}f}", in_percent(x))


def amount(x: float, whole: bool) -> str:
    return f"{x:,.0f}" if whole else f"{x:,.1f}"


def score_digits(name: str) -> int:
    return 1 if name == "capture MAE (days)" else 3


def score_value(name: str, x: float) -> str:
    return NOT_GIVEN if math.isnan(x) else f"{x:.{score_digits(name)}f}"


def beyond_chance(d: Difference) -> bool:
    return d.low > 0 or d.high < 0


def toward_record(d: Difference) -> str:
    """Which way B moved a headline score from A: 'closer to the record' or 'further from the record'.

    The one place the direction is read (:data:`LOWER_IS_BETTER`). Not 'better' or 'worse': a what-if is not
    judged by how well it matches what happened, only said to match it more or less.
    """
    closer = (d.diff < 0) == (d.name in LOWER_IS_BETTER)
    return "closer to the record" if closer else "further from the record"


def shown_sides(d: Difference) -> tuple[str, str]:
    """A headline score's A and B as shown, each marked "≥ " where it is a lower bound, as compare marks a capture MAE
    that counts a capture never coming."""
    return tuple((LOWER_BOUND if bound else "") + score_value(d.name, x)
                 for x, bound in ((d.a, d.a_lower_bound), (d.b, d.b_lower_bound)))


def shown_same(d: Difference) -> bool:
    """A and B read the same where the page shows them (8.51 and 8.49 days both show 8.5): no change to speak of."""
    return score_value(d.name, d.a) == score_value(d.name, d.b)


def interval(d: Difference, fmt) -> str:  # noqa: ANN001 - a formatter of signed values
    return spanning(fmt(d.low), fmt(d.high))


def spanning(low: str, high: str) -> str:
    """'low to high', joined by non-breaking spaces: a narrow column would break it after 'to'."""
    return f"{low}\u00a0to\u00a0{high}"


def table(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    return left_aligned(markdown_table(frame), tuple(c for c in frame.columns if c in WORDED))


def intro(c: Comparison) -> str:
    """How the differences were made: over how many replicates, paired or not, with intervals or not, on what."""
    n = min(len(c.a.results.runs), len(c.b.results.runs))
    how = c.seeds.words()
    text = (f"Differences are {CHANGE}, {how}, with {intervals_name()}s from a bootstrap over the replicates: a difference "
            "is *beyond chance* where its interval leaves out 0. The outcomes' and the towns' intervals are joint, each "
            "table's together: if the change did nothing, all of a table's would include 0 nine times in ten." if c.intervals else
            f"Differences are {CHANGE}, {how}, without intervals: they need {MIN_REPLICATES} replicates or more of each "
            f"(here {n}), and a difference from one replicate may be chance.")
    text += f" {c.seeds.left_out()}" if c.seeds.left_out() else ""
    text += f" Scores and outcomes count the {len(c.outcomes)} outcomes both cover"
    if c.cut is not None:
        text += f", {c.cut}'s replicates up to {c.date} (the last day both simulate)"
    left = [f"{len(d)} only {side} covers" for side, d in (("A", c.only_a), ("B", c.only_b)) if d]
    text += f" ({' and '.join(left)} left out)." if left else "."
    if c.same_runs:
        text += (f" **B and A are the same in every replicate** (who holds each town on every day, and every quantity "
                 f"below{'; they differ only in ' + ', '.join(c.differs_in) if c.differs_in else ''}): every {CHANGE} is "
                 "zero because the change reached nothing these measure, not by chance.")
    return text


def scores_markdown(c: Comparison) -> str:
    """The headline scores, A, B, B − A (and its interval), and whether B is closer to the record than A or further."""
    rows = []
    for d in c.headlines:
        shown = shown_change(d.a, d.b, score_digits(d.name))  # 0 where shown_same: "the same ..." beside "0.000"
        if d.note:
            verdict = d.note
        elif d.diff == 0:
            verdict = "the same"
        elif shown_same(d):
            verdict = "the same to the precision shown"
        elif c.intervals and not beyond_chance(d):
            verdict = "no different beyond chance"
        elif not d.sign_known:  # two lower bounds, or one below the other's exact value: which is closer is not known
            # (short: a verdict over three lines of a phone's column read badly; the paragraph under the table says why)
            verdict = "not known (lower bounds)"
        else:
            verdict = toward_record(d) + (" beyond chance" if c.intervals else "")
        row = {"score": d.name, CLOSER: "lower" if d.name in LOWER_IS_BETTER else "higher",
               **dict(zip((A, B), shown_sides(d), strict=True)),
               CHANGE: NOT_GIVEN if d.note else (f"{d.diff_bound} " if d.diff_bound else "")
               + signed(score_value(d.name, abs(shown)), shown)}
        if c.intervals:
            row[intervals_name()] = NOT_GIVEN if d.note else interval(d, lambda x, n=d.name: signed(score_value(n, abs(x)), x))
        rows.append(row | {"B against A": verdict})
    bounds = f"\n\n{words}" if (words := lower_bounds_words(c.headlines, CHANGE)) else ""
    return ("**Headline scores against the record** (the Ensemble tab says what each measures; *closer to the record* "
            "says only that B matches what happened more closely, not that B is to be preferred)\n\n" + table(rows) + bounds)


def outcomes_markdown(c: Comparison) -> str:
    """The outcomes whose share of replicates meeting them changed (beyond chance, where there are intervals), by
    their description and largest change first; then how many changed less and how many not at all."""
    outcome = {s.outcome.id: s.outcome for s in (*c.a.scores, *c.b.scores)}
    changed = [d for d in c.outcomes if (beyond_chance(d) if c.intervals else d.diff != 0)]
    changed.sort(key=lambda d: abs(d.diff), reverse=True)
    unchanged = sum(d.diff == 0 for d in c.outcomes)
    within = len(c.outcomes) - len(changed) - unchanged
    which = "changed beyond chance" if c.intervals else "changed"
    head = (f"**Outcomes whose share of replicates meeting them {which}**, largest change first: the share of replicates "
            f"meeting each in A and in B, and {CHANGE} in percentage points")
    shown = [shown_share_change(d.a, d.b) for d in changed]
    da, db, dd = (tenths(x) for x in ([d.a for d in changed], [d.b for d in changed],
                                       together(shown, [x for d in changed for x in (d.low, d.high)], c.intervals)))
    rows = [{"outcome": exactly(described(outcome[d.name], c.a.results.theatre)), A: percent(d.a, da), B: percent(d.b, db),
             CHANGE: points(change, dd)}
            | ({intervals_name(): interval(d, lambda x: points(x, dd))} if c.intervals else {})
            for d, change in zip(changed, shown, strict=True)]
    body = table(rows) if rows else f"No outcome's share of replicates meeting it {which}."
    rest = ([f"**{within}** more changed by less than chance can tell (their interval includes 0)"] if within else [])
    rest.append(f"**{unchanged}** did not change at all (as many replicates meet them in A as in B)")
    return (f"{head}\n\n{body}\n\n{'The other ' if rows and not within else ''}{', and '.join(rest)}. "
            "Every outcome is in the comparison CSV below.")


def dates_markdown(c: Comparison) -> str:
    """The capture, road and event dates B moved from A, as ``compare A B`` prints them
    (:func:`sim.analysis.comparison_report.date_shifts`) in the page's typography (:func:`~sim.app.typeset.typeset`:
    its header "B − A" whole on its line, as the other tables' is), each outcome by its description, a later date's
    shift signed as the tab's other differences are ('+20'); '' where none is dated."""
    if not c.dates:
        return ""
    outcome = {s.outcome.id: s.outcome for s in (*c.a.scores, *c.b.scores)}
    heading, body, tail = (typeset(text) for text in date_shifts(
        c, "the comparison CSV below", named=lambda name: exactly(described(outcome[name], c.a.results.theatre)), plus=True))
    if body.startswith("|"):
        body = left_aligned(body, ("outcome",))
    return "\n\n".join([f"**{heading}**", body, *([tail] if tail else [])])


def quantities_markdown(quantities: list[Difference], day: dt.date, intervals: bool) -> str:
    """The key quantities on ``day``, named in words: means over the replicates."""
    rows = []
    for d in quantities:
        whole, share = d.name in WHOLE, d.name in SHARES
        decimals = tenths([d.a, d.b, d.low, d.high])  # a share's row in one format, as a count's is
        change = shown_share_change(d.a, d.b) if share else shown_change(d.a, d.b, 0 if whole else 1)

        def fmt(x: float, whole: bool = whole, share: bool = share, decimals: int = decimals) -> str:
            return points(x, decimals) if share else signed(amount(abs(x), whole), x)

        def shown(x: float, whole: bool = whole, share: bool = share, decimals: int = decimals) -> str:
            return NOT_GIVEN if math.isnan(x) else percent(x, decimals) if share else amount(x, whole)

        rows.append({"quantity": QUANTITY_WORDS.get(d.name, d.name.replace("_", " ")), A: shown(d.a), B: shown(d.b),
                     CHANGE: NOT_GIVEN if d.note or math.isnan(change) else fmt(change)}
                    | ({intervals_name(): d.note or interval(d, fmt)} if intervals else {}))
    notes = [f"{QUANTITY_WORDS.get(d.name, d.name)}: {d.note}" for d in quantities if d.note and not intervals]
    shares = " (shares in %, their differences in percentage points)" if any(d.name in SHARES for d in quantities) else ""
    if any(d.name.startswith("casualties_") for d in quantities):
        notes.append(CASUALTIES_CAVEAT)
    if any(d.name == "violations" for d in quantities):
        notes.append(VIOLATIONS_COUNTED)
    return (f"**On {date_words(day)} (the maps' date): means over the replicates**{shares}\n\n" + table(rows)
            + ("\n\n" + ". ".join(notes) + "." if notes else ""))


# Said under the table, not in the label: in brackets there it took six lines of a phone's label column.
VIOLATIONS_COUNTED = "The violations are those of the latest ceasefire, counted from its start, even once it has broken"
CASUALTIES_CAVEAT = ("Casualties are the model's bookkeeping, not estimates (strength points counted as fighters): under a "
                     "ceasefire only the raids and ambushes that break it kill anyone, and nothing else fights")


def towns_markdown(towns: pd.DataFrame, day: dt.date, c: Comparison) -> str:
    """The :data:`TOWNS_SHOWN` towns whose chance of being held by the government on ``day`` changed most, largest
    first (in the theatre's order where they tie), and how many others changed."""
    moved = towns[towns["diff"] != 0]
    moved = moved.reindex(moved["diff"].abs().sort_values(ascending=False, kind="stable").index)
    if moved.empty:
        return f"**Towns**: no town's chance of being held by the government differs on {date_words(day)}."
    shown = moved.head(TOWNS_SHOWN)
    changes = [shown_share_change(a, b) for a, b in zip(shown["p_regime_a"], shown["p_regime_b"], strict=True)]
    da, db, dd = (tenths(x) for x in (shown["p_regime_a"], shown["p_regime_b"],
                                       together(changes, [*shown["low"], *shown["high"]], c.intervals)))
    rows = [{"town": exactly(t.town), A: percent(t.p_regime_a, da), B: percent(t.p_regime_b, db), CHANGE: points(change, dd)}
            | ({intervals_name(): spanning(points(t.low, dd), points(t.high, dd))} if c.intervals else {})
            for t, change in zip(shown.itertuples(), changes, strict=True)]
    which = f"the {in_words(TOWNS_SHOWN)}" if len(moved) >= TOWNS_SHOWN else f"the {len(moved)}"
    head = (f"**Towns: {which} whose chance of being held by the government changed most** on {date_words(day)}, "
            "largest change first: the share of replicates in which the government holds each, in A and in B")
    more = len(moved) - len(shown)
    tail = (f"{f'**{more}** other towns changed too, by as much or less, and ' if more else 'No other changed: '}"
            f"**{len(towns) - len(moved)}** "
            f"did not change at all. The comparison CSV has every town on {date_words(c.date)} (the last day both "
            "simulate).")
    return f"{head}\n\n{table(rows)}\n\n{tail}"


def on_day(c: Comparison, runs_a: list, runs_b: list, day: dt.date) -> tuple[list[Difference], pd.DataFrame]:
    """The key quantities and the towns' chance of being the government's on ``day``, as :func:`compare` gives
    them on its last day (its own rows on that day, so that the page and the CSV agree there)."""
    rng = np.random.default_rng(0)
    if day >= c.date:
        return c.quantities, c.towns

    def diff(name: str, x: np.ndarray, y: np.ndarray) -> Difference:
        lo, hi = bootstrap_diff(x, y, paired=c.paired, rng=rng) if c.intervals else (np.nan, np.nan)
        return Difference(name, float(x.mean()), float(y.mean()), float(lo), float(hi))

    def at(runs: list, name: str) -> np.ndarray:
        return np.array([float(r.timeseries[name].iloc[r.day(day)]) for r in runs])

    quantities = [diff(q.name, at(runs_a, q.name), at(runs_b, q.name)) for q in c.quantities if q.name in QUANTITIES]
    quantities += patrol_difference(runs_a, runs_b, day, paired=c.paired, intervals=c.intervals, rng=rng)
    ha, hb = ((np.stack([r.history[r.day(day)] for r in runs]) == 0).astype(float) for runs in (runs_a, runs_b))
    lo, hi = bootstrap_diff(ha, hb, paired=c.paired, rng=rng) if c.intervals else (np.nan, np.nan)
    towns = pd.DataFrame({"town": c.towns["town"], "p_regime_a": ha.mean(axis=0), "p_regime_b": hb.mean(axis=0)})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    towns["low"], towns["high"] = lo, hi
    return quantities, towns


def summary(c: Comparison, quantities: list[Difference], towns: pd.DataFrame, day: dt.date, names: tuple[str, str]) -> str:
    """The comparison in one sentence: the headline scores that differ beyond chance over the whole run, and on
    ``day`` the towns the government holds and those whose chance of being its changed most (``quantities`` and
    ``towns`` as :func:`on_day` gives them); or that no replicate differs at all. ``names``: A's and B's titles (shown
    as they are, :func:`~sim.app.breaks.exactly`, as every town is)."""
    if c.same_runs and not c.differs_in:  # compare found every pair the same, every daily series too
        return ("**In short**: no difference in any replicate: each of B's runs is, day by day, the run of A with the "
                "same seed (who holds every town, the losses, the displaced).")
    if c.intervals:
        beyond = [d for d in c.headlines if beyond_chance(d) and not shown_same(d)]
        scores = ("over the whole run, " + "; ".join(f"{d.name} {_moves(d)} from {' to '.join(shown_sides(d))}"
                                                    for d in beyond)
                  if beyond else "no headline score differs beyond chance by as much as the page shows"
                  if any(beyond_chance(d) for d in c.headlines) else
                  f"no headline score differs beyond chance (every {intervals_name()} includes 0)")
    else:
        scores = "with one replicate there are no intervals to tell an effect from chance"
    held = next(d for d in quantities if d.name == "towns_regime")
    change = shown_change(held.a, held.b, 1)  # as the table's row: the difference of the two numbers shown
    moved = towns[towns["diff"].abs() >= 0.05]
    moved = moved.reindex(moved["diff"].abs().sort_values(ascending=False, kind="stable").index).head(TOWNS_NAMED)
    named = ("no town's chance of being held by the government differs by 5 points or more" if moved.empty else
             "the towns whose chance of being held by the government changed most are "
             + _and([f"{exactly(t.town)} ({percent(t.p_regime_a, tenths([t.p_regime_a]))} → "  # 62.5%, as the table: not 62%
                     f"{percent(t.p_regime_b, tenths([t.p_regime_b]))})" for t in moved.itertuples()]))
    # The brackets and the colon go into the titles (exactly's text): outside a title that is one inline block
    # ('jan_truce'), '):' could begin a line, and '(' end one.
    return (f"**In short** {exactly(f'({names[1]}')} against {exactly(f'{names[0]}):')} {scores}; on {date_words(day)} (the maps' date) the "
            f"government holds {held.b:.1f} towns against {held.a:.1f} ({signed(f'{abs(change):.1f}', change)}, "
            "means over the "
            f"replicates), and {named}.")


def _moves(d: Difference) -> str:
    """'rises (closer to the record)', 'falls (further from the record)', ... beyond chance; of lower bounds that do
    not say which is closer, 'rises (of lower bounds: not known to be further from the record)'."""
    hedge = "" if d.sign_known else "of lower bounds: not known to be "
    return ("rises" if d.diff > 0 else "falls") + f" ({hedge}{toward_record(d)})"


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def comparison_words(c: Comparison, runs_a: list, runs_b: list, day: dt.date,
                     names: tuple[str, str]) -> tuple[str, dict[str, str]]:
    """The tab's text: the one-sentence summary above the maps, and below them, by section, how ("how"), the headline
    scores ("scores"), the key quantities ("quantities") and the towns ("towns") on ``day`` (the maps' date, at most the
    last day both simulate), the dates B moved ("dates", where any outcome is dated) and the outcomes that changed
    ("outcomes"); the day's figures computed once for both. By
    section, so that the page can lay out a table by what its rows are labelled with (a town, or a sentence)."""
    day = min(day, c.date)
    quantities, towns = on_day(c, runs_a, runs_b, day)
    # The short tables first: the outcomes that changed may run to a hundred rows.
    return summary(c, quantities, towns, day, names), {
        "how": intro(c), "scores": scores_markdown(c), "quantities": quantities_markdown(quantities, day, c.intervals),
        "towns": towns_markdown(towns, day, c), **({"dates": dates} if (dates := dates_markdown(c)) else {}),
        "outcomes": outcomes_markdown(c)}
