"""The "One run" tab: the run SolaraViz steps, as a control map with its time series beside it.

It re-renders after every step through Mesa's own update counter (the one
SolaraViz's play and step buttons advance), and after Reset through the
model it is given.
"""

from __future__ import annotations

import datetime as dt

import solara
from mesa.visualization.utils import update_counter

from ..analysis.results import RunData
from ..analysis.summary import name
from ..io.files import table_text
from ..names import HOLDERS, date_words
from ..viz.figures import run_map, run_title
from .breakable import ErrorAlert
from .breaks import exactly
from .config import AppConfig
from .figures import COLUMN_SHARE, TITLE_LINE, LiveMap, LiveSeries, PageFigure, PagePieces, live_map_state, png
from .guard import attempt
from .live import WhatIfModel, live_run
from .settings import Settings


def held_line(run: RunData) -> str:
    """Towns held, the displaced (and those gone home, once some have) and Turkish deaths on the run's last recorded
    day, in one line.

    They are counted from the scenario's start, and the line says so: a run that starts on 5 March 2020 counts nobody
    who fled before it (as the CLI's summary says), though it may send home people who did.
    """
    last, since = run.timeseries.iloc[-1], date_words(run.date(0))
    home = f"gone home since {since} **{last['returned']:,.0f}**; " if last.get("returned", 0) > 0 else ""
    held = ", ".join(f"{name(h)} **{last[f'towns_{h}']}**" for h in HOLDERS)  # as the map's legend names them
    return (f"Towns held: {held}; "
            f"displaced since {since} **{last['displaced']:,.0f}**; {home}Turkish deaths since {since} **{last['turkish_deaths']:.0f}**; "
            f"ceasefire: {last['ceasefire']}")


def recent_captures(run: RunData, day: int, shown: int = 12) -> list[str]:
    """Markdown lines for the last ``shown`` changes of hands in the week up to ``day``."""
    recent = run.captures[run.captures["date"] >= (run.date(day) - dt.timedelta(days=6)).isoformat()]
    lines = []
    for date, town, actors, detail in recent[["date", "town", "actors", "detail"]].itertuples(index=False):
        new, _, old = str(actors).partition(";")
        cause = str(detail).rpartition("(")[2].rstrip(")")  # "rebels -> regime (assault)": how it changed hands
        lines.append(f"- {date_words(dt.date.fromisoformat(date))}: **{exactly(town)}** ({name(old)} → {name(new)}, {cause})")
    return lines[-shown:]


FIGURES_ROW = {"flex-wrap": "wrap", "align-items": "flex-start"}
MAP_TITLE = {**TITLE_LINE, "font-size": "15px"}  # a line of its own over the map, the size the figure's title was


def live_map_title(m: WhatIfModel, date: dt.date | None = None) -> str:
    """The run map's title: the downloaded map's, with its date (without one: the title a new map starts with)."""
    return run_title(m.title, m.seeds[0], date or m.start)


@solara.component
def RunView(model: solara.Reactive[WhatIfModel], settings: Settings, config: AppConfig,
            replicate: solara.Reactive[int]):
    """``replicate``: the Replicate slider's value, which the run takes at the next Reset."""
    update_counter.get()  # Mesa's counter: this view is redrawn after every step
    m = model.value
    run = live_run(m)
    day = len(run.history) - 1
    key = (m, day)  # the model itself, not its id: a model made by Reset may get the id of the one it replaced
    live_map = solara.use_memo(lambda: LiveMap(m.theatre), [m])
    map_key, state, changed = live_map_state(m.theatre, m.events_json, run)
    # Drawn again only when what it shows changes: its title, dated, was drawn into it until round 59, and so every day
    # it was drawn and sent again, which took a step from a click to shown from 0.34 s to 0.87 s.
    map_pngs, map_error = solara.use_memo(lambda: attempt(lambda: live_map.pieces(state, changed)), [m, map_key])
    live_series = solara.use_memo(lambda: LiveSeries(m.theatre, m.spec, m.title), [m])
    series_pieces, series_error = solara.use_memo(lambda: attempt(lambda: live_series.pieces(run)), [key])
    said = m.said  # read when the run was built: the file may no longer load
    solara.Markdown(  # (the comma joins the path's block: a line that began with it read oddly)
        f"### One run: {exactly(f'{m.settings.scenario},')} replicate {m.replicate} (seed {m.seeds[0]})\n"
        f"Day **{day}** of {m.days}: **{date_words(run.date(day))}**"
        + (f". Settings: {exactly('; '.join(said))}" if said else ". The scenario as it is.")
        + "\n\n" + held_line(run))
    if m.refused:
        ErrorAlert(f"Reset could not build the sidebar's settings, so this is the last run that "
                   f"built: {m.refused}. Fix the file, or pick another scenario, and press Reset.")
    elif m.settings != settings:
        solara.Warning("The sidebar has changed since this run was built: press Reset to run with it.", dense=True)
    if replicate.value > m.last_replicate:  # a scenario seeded near 2**63 - 1 (see WhatIfModel)
        now = "the last" if m.replicate == m.last_replicate else f"and Reset runs the last, {m.last_replicate}"
        solara.Warning(f"The Replicate slider is at {replicate.value}, but this scenario's replicates stop at "
                       f"{m.last_replicate} (replicate i runs seed + i, and seeds stop at 2**63 - 1): this is replicate "
                       f"{m.replicate}, {now}.", dense=True)
    elif replicate.value != m.replicate:  # the slider shows its number only while dragged
        solara.Warning(f"The Replicate slider is at {replicate.value}: this is still replicate {m.replicate}. "
                       f"Press Reset to run replicate {replicate.value}.", dense=True)
    if not m.running:
        solara.Info("The run has reached the scenario's end. Reset to run it again.", dense=True)
    with solara.Row(style=FIGURES_ROW):  # each at its own size: side by side where the page is wide enough
        if map_error:
            ErrorAlert(f"The map could not be drawn: {map_error}")
        else:
            # the legend beside the map, or under it where the page is too narrow
            with solara.Row(style=FIGURES_ROW, classes=["sim-map"]):
                solara.Text(live_map_title(m, run.date(day)), style=MAP_TITLE, classes=["sim-map-title"])
                for picture in map_pngs.all():
                    PageFigure(picture)
        if series_error:
            ErrorAlert(f"The time series could not be drawn: {series_error}")
        else:
            PagePieces(series_pieces, COLUMN_SHARE)  # its columns side by side where the page has room, else one under the other
    if lines := recent_captures(run, day):
        solara.Markdown("**Changes of hands in the last week**\n\n" + "\n".join(lines), style={"font-size": "0.9em"})
    stem = f"{m.download_name}-seed{m.seeds[0]}-day{day}"  # says what the sidebar changed
    # The same data while the day is the same: a re-render does not cancel a download in flight.
    files = solara.use_memo(lambda: {
        "map": lambda: png(run_map(m.theatre, m.events_json, run, m.title), None),
        "timeseries": lambda: table_text(run.timeseries),  # the run's numbers, as its folder's: no 1.06854e+06
        "events": lambda: table_text(run.events),
    }, [key])
    with solara.Row(style={"flex-wrap": "wrap"}):  # a phone's page has room for one or two buttons a line
        solara.FileDownload(files["map"], f"{stem}-map.png", label="Map (PNG)", mime_type="image/png")
        solara.FileDownload(files["timeseries"], f"{stem}-timeseries.csv", label="Time series (CSV)", mime_type="text/csv")
        solara.FileDownload(files["events"], f"{stem}-events.csv", label="Events (CSV)", mime_type="text/csv")
