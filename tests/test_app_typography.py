"""The app's words write alike what they write in several places: a value that is not given, B − A and its signs, and
dates. Small hand-built comparisons, read through the text builders (no browser, no Solara)."""

from __future__ import annotations

import datetime as dt
import html
from types import SimpleNamespace

import pandas as pd

from sim.analysis.comparison import Difference
from sim.analysis.report import markdown_table


def cells(table: str, label: str) -> list[str]:
    """The cells of the pipe table's row whose first cell is ``label``, as the page shows them (its HTML references
    read)."""
    rows = [[html.unescape(cell.strip()) for cell in line.strip("|").split("|")] for line in table.splitlines()
            if line.startswith("|")]
    return next(row for row in rows if row[0] == label)


def test_a_value_not_given_is_written_as_compare_and_the_ensemble_tab_write_it():
    """The What-if tab wrote a headline score or a quantity it could not give as '–' (an en dash), where the Ensemble
    tab's scorecard, the dates' table on the What-if tab itself and ``compare A B`` write '-'."""
    from sim.app.compare_words import quantities_markdown, scores_markdown

    nan = float("nan")
    not_given = markdown_table(pd.DataFrame({"score": ["Brier"], "A": [nan]})).splitlines()[-1].strip("|").split("|")[1].strip()
    c = SimpleNamespace(headlines=[Difference("outcomes met", 0.40, 0.45, 0.01, 0.09),
                                   Difference("Brier", nan, nan, nan, nan, "no outcome reports a controller")],
                        intervals=True, same_runs=False, differs_in=())
    brier = cells(scores_markdown(c), "Brier")
    assert brier[2:6] == [not_given] * 4, brier  # A, B, B − A and its interval
    quantities = quantities_markdown([Difference("towns_regime", 132.5, 139.25, 1.0, 12.0),
                                      Difference("towns_hts", nan, 20.0, nan, nan, "left out")], dt.date(2020, 3, 5), intervals=True)
    assert cells(quantities, "towns held by HTS")[1:4] == [not_given, "20.0", not_given], quantities


def shifted(c_date: dt.date = dt.date(2020, 3, 5)) -> SimpleNamespace:
    """A comparison of two dated outcomes: Saraqib falls two days earlier in B (with an interval), and Maarat, which
    falls in A on 19 January, never falls in B."""
    from sim.analysis.comparison import DateShift

    origin = dt.date(2019, 12, 1)
    saraqib = DateShift("saraqib", 66, 64, -4, 0, origin, c_date)
    maarat = DateShift("maarat", 49, float("inf"), float("nan"), float("nan"), origin, c_date)
    outcome = {"saraqib": "Saraqib passes to the government around 5 Feb 2020",
               "maarat": "Maarat passes to the government around 28 Jan 2020"}
    scores = [SimpleNamespace(outcome=SimpleNamespace(id=k, description=text)) for k, text in outcome.items()]
    card = SimpleNamespace(scores=scores, results=SimpleNamespace(theatre=None))
    return SimpleNamespace(dates=[saraqib, maarat], date=c_date, a=card, b=card)


def test_the_dates_table_writes_b_minus_a_its_signs_and_its_dates_as_the_tabs_other_tables_do():
    """The What-if tab showed compare A B's dates table as the command line writes it, 'B - A (days)' over '-2' and
    '19 Jan 2020', under tables of 'B − A' (a true minus) over '−37.9' on '5 March 2020', and its key said '5 Mar 2020'.
    The command line's own table is unchanged."""
    from sim.analysis.comparison_report import date_shifts
    from sim.app.compare_words import dates_markdown
    from sim.app.typeset import CHANGE, MINUS

    c = shifted()
    shown = dates_markdown(c)
    header = next(line for line in shown.splitlines() if line.startswith("| outcome"))
    assert f"{CHANGE} (days)" in header and "B - A" not in shown, header
    saraqib = cells(shown, "Saraqib passes to the government around 5\u00a0February\u00a02020")
    assert saraqib[1:] == ["5 February 2020", "3 February 2020", f"{MINUS}2", f"{MINUS}4", "0"], saraqib
    maarat = cells(shown, "Maarat passes to the government around 28\u00a0January\u00a02020")
    assert maarat[1:4] == ["19 January 2020", "never", "≥ 47"], maarat
    assert "by 5 March 2020 (the last day both simulate)" in shown and "standing for 6 March 2020" in shown, shown
    assert " Mar " not in shown and " Feb " not in shown and " Jan " not in shown, shown
    plain = "\n".join(date_shifts(c, "comparison.csv"))  # the command line's, as it was
    assert "| B - A (days) |" in plain and "5 Feb 2020" in plain and "-2" in plain and MINUS not in plain, plain


def test_the_dates_table_signs_a_later_date_as_the_tabs_other_differences_do():
    """A shift to a later date read '20' in the What-if tab's dates table, under tables whose differences read '+27.5':
    the page signs every difference, so a later date and its interval read '+20', '+15' and '+25'. The command line's
    own table, whose differences carry no '+' anywhere, is unchanged."""
    from sim.analysis.comparison import DateShift
    from sim.analysis.comparison_report import date_shifts
    from sim.app.compare_words import dates_markdown

    c = shifted()
    c.dates = [DateShift("saraqib", 40, 60, 15, 25, dt.date(2019, 12, 1), c.date)]
    saraqib = cells(dates_markdown(c), "Saraqib passes to the government around 5\u00a0February\u00a02020")
    assert saraqib[3:] == ["+20", "+15", "+25"], saraqib
    plain = "\n".join(date_shifts(c, "comparison.csv"))
    assert "+" not in plain, plain


def test_the_records_descriptions_write_their_months_in_full_as_the_page_does():
    """The record's descriptions, written by hand, mixed 'around 16 Jan 2020' and 'around 9 February 2020' in one column
    of the Ensemble tab, beside the page's '15 January 2020'. They are shown with their months in full, each date
    whole on its line, as their ISO dates were already."""
    from sim.app.outcome_words import described

    def outcome(text: str) -> SimpleNamespace:
        return SimpleNamespace(description=text)

    assert described(outcome("Abu Jarif passes to HTS around 16 Jan 2020")) == \
        "Abu Jarif passes to HTS around 16\u00a0January\u00a02020"
    assert described(outcome("The January truce (in force 12 Jan) breaks down")) == \
        "The January truce (in force 12\u00a0January) breaks down"
    assert described(outcome("About 59-60 killed by 2020-03-04, on 1 May")) == \
        "About 59-60 killed by 4\u00a0March\u00a02020, on 1 May"

