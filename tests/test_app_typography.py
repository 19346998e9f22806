"""The app's words write alike what they write in several places: a value that is not given, B − A and its signs, and
dates. Small hand-built comparisons, read through the text builders (no browser, no Solara)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from sim.analysis.comparison import Difference
from sim.analysis.report import markdown_table


def cells(table: str, label: str) -> list[str]:
    """The cells of the pipe table's row whose first cell is ``label``."""
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines() if line.startswith("|")]
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

