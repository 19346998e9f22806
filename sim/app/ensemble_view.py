"""The "Ensemble" and "What-if vs baseline" tabs: N replicates of the sidebar's settings, with progress.

The ensemble runs as a Solara task in a thread (the page stays live and
shows its progress); its result, or its error, is kept per browser session.
A date slider moves the probability map and the town table through the run.
"""

from __future__ import annotations

import datetime as dt

import solara
import solara.lab

from ..analysis.comparison_report import comparison_table
from ..io.files import table_text
from ..names import date_words, replicates
from ..viz.maps import compare_figure, map_figure
from ..viz.plots import towns_held_figure
from .config import AppConfig
from .ensemble import (
    MAX_PAGE_REPLICATES,
    Ensemble,
    comparison_heading,
    compared_day,
    comparison_lead,
    ensemble_of_settings,
    held_summary,
    tables,
    towns_markdown,
    towns_table,
)
from .breakable import Breakable, ErrorAlert
from .breaks import LONG_WORDS, exactly
from .compare_words import comparison_words
from .figures import EITHER_DPI, NARROW_WIDTH, PageEither, PagePieces, pieces, png
from .run_view import FIGURES_ROW
from .guard import attempt
from .outcome_words import misses_markdown, outcomes_markdown, scores_markdown
from .settings import Settings


def compute(settings: Settings, config: AppConfig, n: int) -> Ensemble:
    """The ensemble, reporting its progress (in %) on the task that runs it."""
    def progress(done: int, total: int) -> None:
        ensemble_task.progress = 100.0 * done / total

    ensemble_task.progress = 0.0
    return ensemble_of_settings(settings, config.controls, n, config.root, progress, config.whatif_dirs)


# In a thread, one result per browser session: the page stays live and shows the progress.
ensemble_task = solara.lab.task(compute, prefer_threaded=True)


def failure() -> str:
    """Why the last ensemble failed, in one line: the exception's kind and its text (a path in it, often)."""
    return f"{type(ensemble_task.exception).__name__}: {ensemble_task.exception}"


# The towns and the headline scores: side by side where both fit, else one under the other. In two fixed halves
# (solara.Columns) a 1024-px page cut the towns' last column off and ran the scores' validation column off the page.
SIDE_BY_SIDE = {"flex-wrap": "wrap", "align-items": "flex-start", "column-gap": "24px"}
HALF = {"flex": "1 1 0", "min-width": "min-content"}  # halves of the row, never narrower than a table's narrowest
# ... but on a phone never wider than the page: at 360 px the scores' table's narrowest took a column a few px wider
# than the page, whose notes under it were cut at its edge. There each half takes the row, and a table wider than
# that scrolls sideways in it (app.py's TABLE_CSS).
HALVES = "sim-halves"
HALVES_CSS = f"@media (max-width: 600px) {{ .{HALVES} > * {{ min-width: 0 !important; flex-basis: 100% !important; }} }}"

LONG_TABLE = "sim-long-table"  # a table that scrolls in a box of its own where taller than most of the window (app.py)
# The comparison's tables (app.py): numbers whole on their line, and the labels kept in view when a table scrolls
# sideways; WORDED_LABELS, a table whose labels are words (a score, a quantity, an outcome), which a phone's page
# squeezed to a word a line; its label column keeps a reading width.
COMPARE_TABLES, WORDED_LABELS = "sim-compare-tables", "sim-worded-labels"
# The dates' labels, a sentence with its date ('Nayrab (Idlib) passes to the government around 4 Feb 2020'), took five
# lines of a phone's 9em: they take a wider column, the four columns of dates and days scrolling beside it. The outcomes
# that changed are the same sentences: with ten replicates, beside their interval, they took five lines too.
DATED_LABELS = "sim-dated-labels"
# The Ensemble's headline scores, wider than a phone's page, scrolled sideways away from their labels; each row is named
# by two columns (the score, written on its model's row alone, then the model or the frozen front): both stay in view.
TWO_LABELS = "sim-two-labels"
SECTION_LABELS = {"towns": [], "dates": [WORDED_LABELS, DATED_LABELS], "outcomes": [WORDED_LABELS, DATED_LABELS]}  # else WORDED_LABELS

DAY_BUBBLE_ROOM = "32px"  # the day slider's value bubble stands about 22 px above the slider's own box


def shown_date(ens: Ensemble, date: dt.date | None) -> dt.date:
    """The date to show: the one chosen if the ensemble has it, else its last day."""
    return date if date is not None and ens.results.start <= date <= ens.last else ens.last


# On a 360-px phone the Replicates slider shared its line with its label and the Run button: 38 px for 1 to 200, five
# replicates a pixel, which a finger could not set to 20. Its bar keeps a pixel a replicate; the button goes under it.
REPLICATES = "sim-replicates"
REPLICATES_CSS = f".{REPLICATES} .v-slider {{ min-width: {MAX_PAGE_REPLICATES}px; }}"


@solara.component
def EnsembleControls(settings: Settings, config: AppConfig, n: solara.Reactive[int]):
    solara.Style(REPLICATES_CSS)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=[REPLICATES]):
        solara.SliderInt("Replicates", value=n, min=1, max=MAX_PAGE_REPLICATES)
        solara.Button(f"Run ensemble ({n.value})", color="primary", disabled=ensemble_task.pending,
                      on_click=lambda: ensemble_task(settings, config, n.value))
    if ensemble_task.pending:
        solara.ProgressLinear(ensemble_task.progress if ensemble_task.progress is not None else True)
        done = ensemble_task.progress or 0
        # Scoring, the comparison's intervals and the maps come after the last replicate: seconds at 100% read as a hang.
        solara.Text(f"running: {done:.0f}% of the replicates done" if done < 100 else
                    "every replicate has run: scoring them against the record and drawing the results")
    if ensemble_task.error:
        ErrorAlert(f"The ensemble failed: {failure()}")


@solara.component
def EnsembleView(settings: Settings, config: AppConfig, n: solara.Reactive[int], date: solara.Reactive):
    solara.Markdown("### Ensemble: N replicates of the sidebar's settings (seed = scenario seed + i, as `run --runs N`)")
    EnsembleControls(settings, config, n)
    ens = ensemble_task.value if ensemble_task.finished else None
    if ens is None:
        if not ensemble_task.pending and not ensemble_task.error:
            solara.Info("Press Run ensemble: the probability map, towns held, the scorecard and the comparison appear here.")
        return
    EnsembleResult(ens, settings, date)


@solara.component
def DaySlider(ens: Ensemble, day: dt.date, date: solara.Reactive):
    """The day shown, as a day number whose ends are labelled with their dates (Solara's date slider writes
    '2020-Jan-29', a third way of writing a date), and the date in words beneath."""
    start, days = ens.results.start, (ens.last - ens.results.start).days
    ends = [date_words(start)] + [""] * (days - 1) + [date_words(ens.last)]
    # Room above the slider for the bubble with its day, which Vuetify draws above the thumb: it covered the text above.
    with solara.Div(style={"padding-top": DAY_BUBBLE_ROOM}):
        solara.SliderInt("Day", value=(day - start).days, min=0, max=days, tick_labels=ends if days > 0 else False,
                         on_value=lambda k: date.set(start + dt.timedelta(days=k)))
    solara.Markdown(f"Showing **{date_words(day)}** (day {(day - start).days})")


@solara.component
def EnsembleResult(ens: Ensemble, settings: Settings, date: solara.Reactive):
    day = shown_date(ens, date.value)
    what = "; ".join(ens.describes) or "the scenario as it is"
    solara.Markdown(f"**{replicates(ens.runs)}** of {exactly(f'{ens.settings.scenario} ({what})')} in {ens.seconds:.1f} s"
                    + (f", and {ens.runs} of its baseline {exactly(ens.baseline_file)}" if ens.baseline_file else ""))
    if ens.settings != settings:
        solara.Warning("The sidebar has changed since this ensemble ran: run it again to see the new settings.", dense=True)
    DaySlider(ens, day, date)
    map_pieces, map_error = solara.use_memo(lambda: attempt(lambda: pieces(map_figure(ens.results, day))), [id(ens), day])
    held, held_error = solara.use_memo(lambda: attempt(lambda: (png(towns_held_figure(ens.results), EITHER_DPI),
                                                                png(towns_held_figure(ens.results, NARROW_WIDTH), EITHER_DPI))), [id(ens)])
    with solara.Row(style=FIGURES_ROW):  # each at its own size: side by side where the page is wide enough
        ErrorAlert(map_error) if map_error else PagePieces(map_pieces)  # the maps and their legend, each a picture
        ErrorAlert(held_error) if held_error else PageEither(*held)  # drawn for a phone's page too
    held = held_summary(ens, day)
    solara.Markdown("Towns held on that day, mean (5–95%): " + "; ".join(
        f"{h} **{m:.1f}** ({lo:.0f}–{hi:.0f})" for h, (m, lo, hi) in held.items()))
    solara.Style(HALVES_CSS)
    with solara.Row(style=SIDE_BY_SIDE, classes=[HALVES]):
        with solara.Column(style=HALF):
            solara.Markdown(f"**The labelled towns on {date_words(day)}**: share of replicates in which each holds it"
                            + (" (and the record)" if day in ens.results.theatre.control else "") + "\n\n"
                            + towns_markdown(towns_table(ens, day)))
        with solara.Column(style=HALF), solara.Div(classes=[COMPARE_TABLES, TWO_LABELS]):
            solara.Markdown(scores_markdown(ens.card))
    # The whole width: a sentence per outcome, and dates that stay on one line. On a phone the descriptions were
    # squeezed to a word or two a line (eleven lines for one of Moscow's): they keep a reading width, as the comparison's.
    with solara.Div(classes=[LONG_TABLE, WORDED_LABELS]):
        solara.Markdown(f"**Outcomes against the record** ({len(ens.card.scores)} in the simulated window; "
                        "the frozen front is the front of the first day, left as it is)\n\n" + outcomes_markdown(ens.card))
    if misses := misses_markdown(ens.card):
        # 15 rows, but on a phone each two lines high; a town's name keeps a reading width (it took 'Maarat / al- / Numan').
        with solara.Div(classes=[LONG_TABLE, WORDED_LABELS]):
            solara.Markdown(misses)
    DownloadRow(ens, day)


# What each table holds, said before its file name (the results folder's): the bare names, in capitals on the page
# (TIMESERIES_QUANTILES.CSV), stood beside buttons in words.
TABLE_WORDS = {"control_prob.csv": "Control probabilities", "timeseries_quantiles.csv": "Time series quantiles",
               "scores.csv": "Headline scores", "outcomes.csv": "Outcomes", "comparison.csv": "Every difference from the baseline"}


@solara.component
def DownloadRow(ens: Ensemble, day: dt.date):
    stem = f"{ens.stem}-runs{ens.runs}"
    # The same data while the ensemble and the date are: a re-render does not cancel a download in flight.
    files = solara.use_memo(lambda: {
        f"{stem}-map-{day}.png": lambda: png(map_figure(ens.results, day), None),
        f"{stem}-towns_held.png": lambda: png(towns_held_figure(ens.results), None),
        **{f"{stem}-{name}": (lambda table=table: table_text(table)) for name, table in tables(ens).items()},
    }, [id(ens), day])
    with solara.Row(style={"flex-wrap": "wrap"}):
        for name, data in files.items():
            table = name.removeprefix(f"{stem}-")
            label = "Towns held (PNG)" if name.endswith("towns_held.png") else "Probability map (PNG)" if name.endswith(".png") \
                else f"{TABLE_WORDS.get(table, 'Table')} ({table})"
            solara.FileDownload(data, name, label=label, mime_type="image/png" if name.endswith(".png") else "text/csv")


@solara.component
def CompareView(settings: Settings, date: solara.Reactive):
    ens = ensemble_task.value if ensemble_task.finished else None
    solara.Markdown(comparison_heading(ens))
    if ens is None:
        # Not 'Run an ensemble first' to one who just pressed Run ensemble, nor after it failed (the Ensemble tab says why).
        if ensemble_task.pending:
            solara.Info("The ensemble is running (Ensemble tab): its comparison appears here when it is done.")
        elif ensemble_task.error:
            ErrorAlert(f"The ensemble failed, so there is nothing to compare: {failure()}")
        else:
            solara.Info("Run an ensemble first (Ensemble tab). A what-if is compared with the scenario it changes: the "
                        "picked file once a slider or toggle is moved, or for a what-if file left as it is, the scenario "
                        "it extends.")
        return
    if ens.comparison is None:  # (said first where the sidebar moved since, or it reads as if nothing had)
        solara.Info(children=[Breakable(
            f"The ensemble ran {ens.settings.scenario} as it is, which has no baseline; the sidebar has changed since: run "
            "the ensemble again (Ensemble tab) to compare the new settings with it." if ens.settings != settings
            else f"{ens.settings.scenario} as it is has no baseline: move a slider or a toggle, or pick a what-if.",
            LONG_WORDS)])  # a long scenario name breaks at the box's edge, as in the page's other boxes
        return
    if ens.settings != settings:
        solara.Warning("The sidebar has changed since this comparison ran: it still compares the settings below. Run the "
                       "ensemble again (Ensemble tab) to compare the new ones.", dense=True)
    CompareResult(ens, date)


@solara.component
def CompareResult(ens: Ensemble, date: solara.Reactive):
    shown = shown_date(ens, date.value)
    solara.Markdown(comparison_lead(ens, shown))
    day = compared_day(ens, shown)  # a day A has too
    c = ens.comparison  # its replicates, not the ensembles': where the two share only some seeds, it pairs those
    in_short, sections = solara.use_memo(lambda: comparison_words(c, c.a.results.runs, c.b.results.runs, day,
                                                               (ens.baseline.name, ens.results.name)), [id(ens), day])
    solara.Markdown(in_short)
    pair, error = solara.use_memo(lambda: attempt(lambda: pieces(compare_figure(ens.baseline, ens.results, day))), [id(ens), day])
    ErrorAlert(error) if error else PagePieces(pair)
    with solara.Div(classes=[COMPARE_TABLES]):
        for name, text in sections.items():
            # A town's name is short: with a label column of a reading width its table, which fits a phone, scrolled.
            with solara.Div(classes=SECTION_LABELS.get(name, [WORDED_LABELS])):
                solara.Markdown(text)
    # The same data while the ensemble and the date are: a re-render does not cancel a download in flight.
    both = solara.use_memo(lambda: (lambda: png(compare_figure(ens.baseline, ens.results, day), None)), [id(ens), day])
    every = solara.use_memo(lambda: (lambda: table_text(comparison_table(ens.comparison))), [id(ens)])
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(both, f"{ens.stem}-vs-baseline-{day}.png", label="Both maps (PNG)", mime_type="image/png")
        solara.FileDownload(every, f"{ens.stem}-runs{ens.runs}-comparison.csv", label="Every difference (comparison CSV)",
                            mime_type="text/csv")

