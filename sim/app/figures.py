"""The page's figures, drawn by the project's own figure code, as PNG bytes.

The maps are those of ``python -m sim run`` and ``python -m sim map``
(:func:`sim.viz.figures.control_map_figure`, :func:`sim.viz.maps.map_figure`,
:func:`sim.viz.maps.compare_figure`) and the ensemble's towns held are
``python -m sim plot``'s (:func:`sim.viz.plots.towns_held_figure`): one
drawing path for the command line, the README and the app. The live run
keeps one map figure and one time-series figure from day to day
(:class:`LiveMap`, :class:`LiveSeries`) and redraws only what a day
changes: the page steps a run a day at a time, and drawing whole figures
was most of a step's time.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator
from PIL import Image, ImageChops

from ..analysis.results import RunData
from ..io.schema import Scenario
from ..io.theatre import Theatre
from ..names import HOLDERS, date_words
from ..viz.drawing import DYNAMIC_GIDS, control_handles, draw_control_layers
from ..viz.figures import control_map_figure
from ..viz.geometry import layout
from ..viz.labels import day_towns, main_towns, place_labels_again
from ..viz.map_state import MapState, run_state
from ..viz.style import FACTION_COLOURS, FACTION_NAMES, canvas_rgb, fitted_suptitle, new_figure

DPI = None  # the page shows figures at their own size (100 dpi), as downloads are: at 80 dpi, squeezed into a
# column, town names were about 4 px high

WIDE_WIDTH = 10  # inches: the towns held as `python -m sim plot` draws it (:func:`~sim.viz.plots.towns_held_figure`)
NARROW_WIDTH = 3.9  # inches: the towns held drawn again for a phone's page (396 px wide at 420)
# The towns held is shown wider than drawn where its room allows (:data:`FIGURE_CSS`): at most this many times, where
# its smallest text (8 points, 11 px at 100 dpi) is 17 px, between the page's text (14 px) and its headings (20 px).
WIDEST = 1.5
EITHER_DPI = 200  # its pictures: two pixels for each of the figure's, sharp when widened (and on a phone's fine screen)

# A figure on the page: at its own size, never wider than the space it has (then scaled down, keeping its shape).
# A figure drawn for a wide page and again for a phone's (:func:`PageEither`): the wide one where the space it has shows
# its 8-point text (11 px) at 9 px or more, which for one 10 inches wide is 810 px; the narrow one where not. A query of
# the space itself, not of the window: Mesa's sidebar takes 400 px of a 1024-px window. Either fills the space, up to
# WIDEST times its own width (at its own size the narrow one left a third of a 1024-px page's 600-px column empty); the
# narrow one, at most 585 px wide, reads better up to 810 px than the wide one would, its text under 9 px.
FIGURE_CSS = f""".sim-figure {{ max-width: 100%; height: auto; }}
.sim-either {{ container-type: inline-size; width: 100%; text-align: center; }}
.sim-either img {{ width: 100%; }}
.sim-either .sim-wide img {{ max-width: {WIDEST * WIDE_WIDTH * 100:.0f}px; }}
.sim-either .sim-narrow img {{ max-width: {WIDEST * NARROW_WIDTH * 100:.0f}px; }}
.sim-either .sim-narrow {{ display: none; }}
@container (max-width: 810px) {{ .sim-either .sim-wide {{ display: none; }} .sim-either .sim-narrow {{ display: block; }} }}"""


@solara.component
def PageFigure(data: bytes):
    """A figure's PNG on the page at its own size (at most the width it has): a row of them wraps."""
    solara.Image(data, classes=["sim-figure"])


@solara.component
def PageEither(wide: bytes, narrow: bytes):
    """A figure drawn :data:`WIDE_WIDTH` and :data:`NARROW_WIDTH` wide, each a picture at :data:`EITHER_DPI`: the page
    shows the one that suits its width, as wide as its room, up to :data:`WIDEST` times as drawn.

    Scaled to a phone's page, the wide one's text was 4 px high; the narrow one (the same drawing, its text the same
    size, its title, legend and event key on more lines) is shown there.
    """
    with solara.Div(classes=["sim-either"]):
        with solara.Div(classes=["sim-wide"]):
            PageFigure(wide)
        with solara.Div(classes=["sim-narrow"]):
            PageFigure(narrow)


# Maps cut from one figure (:class:`Pieces`): the title on a line of its own; two maps share a row wide enough for both
# (each 360 px at least), and each has the whole row where it is not; the keys follow at their own size, as many a line
# as fit.
PIECES_ROW = {"flex-wrap": "wrap", "align-items": "flex-start", "justify-content": "center", "width": "100%"}
TITLE_LINE = {"width": "100%", "text-align": "center"}
MAP_SHARE = {"flex": "1 1 360px", "text-align": "center"}
# A time series' columns at their own size: side by side, as drawn, where both fit; one under the other where not.
COLUMN_SHARE = {"flex": "0 1 auto", "text-align": "center"}


@solara.component
def PagePieces(cut: Pieces, share: dict = MAP_SHARE):
    """A figure's pieces in a wrapping row: maps side by side where the page has room, one under the other where not
    (``share``: the style of each map's, or column's, place in the row)."""
    with solara.Row(style=PIECES_ROW, classes=["sim-pieces"]):
        for title in cut.title:
            with solara.Div(style=TITLE_LINE, classes=["sim-piece-title"]):
                PageFigure(title)
        for picture in cut.maps:
            with solara.Div(style=share, classes=["sim-piece-map"]):
                PageFigure(picture)
        with solara.Row(style=PIECES_ROW):  # a line of their own: beside the maps, they took a wide page's room
            for key in cut.keys:
                PageFigure(key)


def png(fig: Figure, dpi: float | None = DPI) -> bytes:
    """The figure as PNG bytes (``dpi`` None: the figure's own).

    Drawn on the figure's own canvas and encoded as RGB with a fast setting
    (these go to a local browser): a third quicker than ``savefig``, which
    encodes RGBA.
    """
    own = fig.dpi
    fig.set_dpi(dpi or own)
    try:
        return encoded(canvas_rgb(fig))
    finally:
        fig.set_dpi(own)


def encoded(rgb: Image.Image) -> bytes:
    """A picture as PNG bytes, with a fast setting (these go to a local browser)."""
    buf = io.BytesIO()
    rgb.save(buf, format="png", compress_level=1)
    return buf.getvalue()


@dataclass(frozen=True)
class Pieces:
    """A figure cut into the pictures the page lays out in a wrapping row (:func:`pieces`), each at its own size."""

    title: tuple[bytes, ...]  # the figure's title over every map (none where each map has its own)
    maps: tuple[bytes, ...]  # each map with its own title, ticks and colour bar
    keys: tuple[bytes, ...]  # a colour bar shared by the maps, and each column of the legend

    def all(self) -> tuple[bytes, ...]:
        """Every piece, in the page's order."""
        return self.title + self.maps + self.keys


def pieces(fig: Figure, pad: int = 3) -> Pieces:
    """A map figure (one map with its legend at its right, or maps in a row with the legend below), or panels in
    columns (the live time series), as pictures cut from the one the download draws: its title, each map (each
    column of panels), and each column of its legend.

    The page lays them in a wrapping row: side by side where it has room, one under the other at the page's width
    where it has not. In one picture, a phone's page scaled maps and legend down together, to text 3 or 4 px high.
    """
    rgb = canvas_rgb(fig)
    renderer = fig.canvas.get_renderer()

    def cut(left: float, top: float, right: float, bottom: float) -> bytes:  # in the picture's pixels, rows from the top
        return encoded(rgb.crop((max(0, int(left) - pad), max(0, int(top) - pad),
                                 min(rgb.width, int(np.ceil(right)) + pad), min(rgb.height, int(np.ceil(bottom)) + pad))))

    def cut_box(box: Bbox) -> bytes:  # a box in the figure's pixels, from the bottom left
        return cut(box.x0, rgb.height - box.y1, box.x1, rgb.height - box.y0)

    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]  # the maps; colour bars have none
    columns: dict[int, list[Axes]] = {}  # a column of the grid is one picture (a time series' panels, a twin axis)
    for ax in panels:
        columns.setdefault(ax.get_subplotspec().colspan.start, []).append(ax)
    ordered = [column for _, column in sorted(columns.items())]
    boxes = [Bbox.union([ax.get_tightbbox(renderer) for ax in column]) for column in ordered]
    if one_chart(ordered):
        # Cut from the same rows, side by side on the page the columns' axes line up as drawn: the time series' right
        # column, cut to its own panels, ended 44 px above the left one, whose legend stands above its panel.
        boxes = [Bbox.from_extents(b.x0, min(c.y0 for c in boxes), b.x1, max(c.y1 for c in boxes)) for b in boxes]
    shared = []  # a colour bar goes with the map it stands under, or is a key of its own where it spans the maps
    for extra in (ax for ax in fig.axes if ax not in panels):
        box = extra.get_tightbbox(renderer)
        under = [k for k, b in enumerate(boxes) if b.x0 <= box.x0 and box.x1 <= b.x1]
        if under:
            boxes[under[0]] = Bbox.union([boxes[under[0]], box])
        else:
            shared.append(box)
    # Anything above the maps is the figure's title: its inked part, but for a legend. A map narrowed by a long legend
    # at its right stands lower than the legend's top, whose first entries were taken for the title.
    top, background = max(1, int(rgb.height - max(b.y1 for b in boxes)) - pad), rgb.getpixel((0, 0))
    above = rgb.crop((0, 0, rgb.width, top))
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        if rgb.height - box.y1 < top:
            above.paste(background, (int(box.x0), max(0, int(rgb.height - box.y1)), int(np.ceil(box.x1)), top))
    inked = ImageChops.difference(above, Image.new("RGB", above.size, background)).getbbox()
    def clear_of_maps(box: Bbox) -> Bbox:  # a key beside a map starts right of it: its margin took in the map's edge
        beside = [b.x1 for b in boxes if b.x1 < box.x1 and b.y0 < box.y1 and box.y0 < b.y1]
        # The map's frame is drawn centred on its box's edge, in the pixel it falls in and one either side.
        return Bbox.from_extents(max([box.x0, *(np.ceil(x) + 2 + pad for x in beside)]), box.y0, box.x1, box.y1)

    return Pieces((cut(*inked),) if inked else (), tuple(cut_box(b) for b in boxes),
                  tuple(cut_box(b) for b in shared) + tuple(cut_box(clear_of_maps(b)) for b in legend_columns(fig, renderer)))


def one_chart(columns: list[list[Axes]]) -> bool:
    """Whether a figure's columns are one chart cut apart (the time series': they share their dates), not maps."""
    first = columns[0][0]
    return len(columns) > 1 and all(any(first.get_shared_x_axes().joined(first, ax) for ax in column) for column in columns[1:])


def legend_columns(fig: Figure, renderer) -> list[Bbox]:  # noqa: ANN001
    """The box of each column of the figure's legend (a phone's page has room for one column a line)."""
    if not fig.legends:
        return []
    legend = fig.legends[0]
    height = legend.get_window_extent(renderer)
    columns: dict[int, list[Bbox]] = {}
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        box = text.get_window_extent(renderer)  # a column's labels start at the same x
        columns.setdefault(round(box.x0), []).extend([box, handle.get_window_extent(renderer)])
    return [Bbox.from_extents(min(b.x0 for b in boxes), height.y0, max(b.x1 for b in boxes), height.y1)
            for _, boxes in sorted(columns.items())]


def live_map_state(theatre: Theatre, events: list[dict], run: RunData) -> tuple[str, MapState, np.ndarray]:
    """What the live view's map shows on the run's last recorded day (its state, and the towns that changed hands
    since the start, which it names where there is room), and a key that changes when it does.

    The key is the map's state (controllers, posts, police, corridor, patrols), not
    its date: a day on which nothing the map shows changed keeps the last picture
    (the date is in the page's header), and a day that changes it redraws it. The towns that changed hands follow
    from the controllers, which it holds.
    """
    date = run.date(len(run.history) - 1)
    state = run_state(theatre, events, run, date)
    key = "|".join([state.controller.tobytes().hex(), state.posts.tobytes().hex(), state.encircled.tobytes().hex(),
                    state.military_police.tobytes().hex(), repr(state.corridor), repr([(p.road, p.reached, p.coverage) for p in state.patrols])])
    return key, state, run.changed_hands(date)


class LiveMap:
    """The live view's control map, one figure kept from day to day.

    A day whose legend is that of the figure kept redraws only the layers
    that change from day to day, as an animation does, and places the towns'
    names again around them (roads, border, road names and legend stay); a
    day with another legend draws a new figure. Either way the picture is
    the one :func:`control_map_figure` draws, in about half the time for a
    kept figure. It has no title: the page writes the map's title, with its
    day's date, as text above it, so that a day on which nothing on the map
    changed draws and sends no picture.
    """

    def __init__(self, theatre: Theatre) -> None:
        self.theatre = theatre
        self.layout = layout(theatre)
        self.main_towns = main_towns(theatre)
        self.figure: Figure | None = None
        self.legend: tuple[str, ...] = ()  # the kept figure's legend entries

    def pieces(self, state: MapState, changed: np.ndarray | None = None) -> Pieces:
        """The map of ``state`` for the page: the map and its legend as pictures of their own (see :func:`pieces`)."""
        return pieces(self.draw(state, changed))

    def draw(self, state: MapState, changed: np.ndarray | None = None) -> Figure:
        """The map of ``state``, naming the towns ``changed`` (that changed hands since the start) where there is
        room: the kept figure with its day's layers replaced, or a new figure."""
        has = state.posts.astype(bool)
        handles = control_handles(self.layout, state, intact=bool((has & ~state.encircled).any()), encircled=bool((has & state.encircled).any()))
        legend = tuple(h.get_label() for h in handles)
        if self.figure is None or legend != self.legend:
            self.figure, self.legend = control_map_figure(self.theatre, state, "", changed=changed), legend
            return self.figure
        ax = self.figure.axes[0]
        for artist in [*ax.collections, *ax.patches, *ax.lines]:
            if artist.get_gid() in DYNAMIC_GIDS:
                artist.remove()
        draw_control_layers(ax, self.layout, state)
        place_labels_again(ax, self.layout, self.main_towns, notable=day_towns(self.theatre, state, changed), patrols=state.patrols)
        return self.figure


def fix_ticks(axis: Axis) -> None:
    """Keep the ticks and labels the axis has now.

    Matplotlib's automatic date ticks are worked out again each time the
    layout is measured, which was half the time series' drawing time.
    """
    locations = axis.get_major_locator()()
    axis.set_major_locator(FixedLocator(locations))
    axis.set_major_formatter(FixedFormatter(axis.get_major_formatter().format_ticks(locations)))


SERIES_TEXT = 8  # points: the time series' smallest text, about 11 px at 100 dpi (9 px or more on a phone's page)
STRIP_COLOURS = {"announced": "#F3E8A3", "in force": "#E6C700"}  # the ceasefire strip: a deal's days before and in force


def breaks(states: np.ndarray) -> list[int]:
    """The days a deal broke: where the ``ceasefire`` series turns to "broken".

    A truce can break on the day it was to take effect, so it is never
    recorded "in force"; the strip marks the break all the same.
    """
    broken = states == "broken"
    return [int(d) for d in np.flatnonzero(broken & ~np.concatenate([[False], broken[:-1]]))]


class LiveSeries:
    """The live view's time series, one figure kept from day to day.

    Towns held by each faction (with the record's control counts), the
    ceasefire, the displaced and Turkish deaths so far, over the scenario's
    whole window. Each day redraws only the curves, the strip and the limits;
    the axes, their ticks, the record's points and the legend stay (making
    them was half the drawing time).
    """

    def __init__(self, theatre: Theatre, scenario: Scenario, title: str | None = None) -> None:
        self.scenario = scenario
        self.title = title or scenario.name
        # Two columns, each about a phone's width (the page cuts them apart, :meth:`pieces`): the towns held at the
        # left, the ceasefire over the displaced and Turkish deaths at the right. As one picture 640 px wide, a
        # phone's page scaled its text to 6 px.
        self.figure = new_figure(figsize=(8.4, 4.6), dpi=100, layout="constrained")
        grid = self.figure.add_gridspec(2, 2, height_ratios=(0.8, 3))
        top = self.figure.add_subplot(grid[:, 0])
        mid = self.figure.add_subplot(grid[0, 1])
        low = self.figure.add_subplot(grid[1, 1], sharex=mid)
        top.sharex(low)
        twin = low.twinx()
        self.axes = (top, mid, low, twin)
        self.most_reported = max(int((c == k).sum()) for c in theatre.control.values() for k in range(len(HOLDERS)))
        for d, control in sorted(theatre.control.items()):
            if scenario.start <= d <= scenario.end + dt.timedelta(days=1):
                for code, holder in enumerate(HOLDERS):
                    # not clipped: the first and last lie a day inside the axes' edges, where the axes cut them in half
                    top.plot(np.datetime64(d), int((control == code).sum()), marker="D", ms=6, color=FACTION_COLOURS[holder],
                             mec="black", mew=0.8, ls="", zorder=5, clip_on=False)
        handles = [Line2D([], [], color=FACTION_COLOURS[h], lw=2, label=FACTION_NAMES[h]) for h in HOLDERS]
        handles.append(Line2D([], [], marker="D", ls="", color="white", mec="black", label="Reported"))
        # Above the plot, off the curves and the record's points.
        top.legend(handles=handles, fontsize=SERIES_TEXT, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
        top.set_ylabel("towns held", fontsize=SERIES_TEXT + 1)
        top.grid(axis="y", color="#E0E0E0", lw=0.6)
        mid.set_ylim(0, 1.8)  # the band below, its key above
        mid.set_yticks([])
        mid.tick_params(labelbottom=False)
        mid.set_ylabel("ceasefire", fontsize=SERIES_TEXT, rotation=0, ha="right", va="center")
        low.set_ylabel("displaced\n(thousands)", fontsize=SERIES_TEXT)
        twin.set_ylabel("Turkish deaths", fontsize=SERIES_TEXT, color=FACTION_COLOURS["turkey"])
        low.set_xlim(np.datetime64(scenario.start - dt.timedelta(days=1)), np.datetime64(scenario.end + dt.timedelta(days=2)))
        locator = mdates.AutoDateLocator(maxticks=7)  # dates as `python -m sim plot` writes them: "Dec, 15, Jan"
        low.xaxis.set_major_locator(locator)
        low.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, offset_formats=[""] * 6))
        window = f"date ({date_words(scenario.start, '%b')} – {date_words(scenario.end, '%b')})"
        for ax in (top, low):  # each column read on its own where the page stacks them
            ax.set_xlabel(window, fontsize=SERIES_TEXT)
        fix_ticks(low.xaxis)
        twin.yaxis.set_major_locator(MaxNLocator(integer=True))  # soldiers: no 0.2 of one
        for ax in (top, mid, low, twin):
            ax.tick_params(labelsize=SERIES_TEXT)

    def pieces(self, run: RunData) -> Pieces:
        """The time series of ``run`` so far for the page: its title and each column a picture (see :func:`pieces`)."""
        return pieces(self.draw(run))

    def draw(self, run: RunData) -> Figure:
        """The figure with ``run``'s curves so far in place of the last ones drawn."""
        top, mid, low, twin = self.axes
        for artist in [a for ax in self.axes for a in (*ax.lines, *ax.collections) if a.get_gid() == "today"]:
            artist.remove()
        if mid.get_legend() is not None:
            mid.get_legend().remove()
        ts = run.timeseries
        x = np.array(ts["date"], dtype="datetime64[D]")
        for holder in HOLDERS:
            top.step(x, ts[f"towns_{holder}"], where="mid", color=FACTION_COLOURS[holder], lw=2, gid="today")
        top.set_ylim(0, 1.15 * max(self.most_reported, *(ts[f"towns_{h}"].max() for h in HOLDERS)))
        # On as many lines as a column's width needs: the page shows the title over the columns, or over one on a phone.
        fitted_suptitle(self.figure, f"{self.title}, seed {run.seed}: day {len(x) - 1}", fontsize=10,
                        room=self.figure.bbox.width / 2)
        states = ts["ceasefire"].to_numpy(dtype=str) if "ceasefire" in ts else np.full(len(x), "none")
        for state, colour in STRIP_COLOURS.items():
            if (states == state).any():
                mid.fill_between(x, 0, states == state, step="mid", color=colour, lw=0, label=state, gid="today")
        for i, day in enumerate(breaks(states)):
            mid.axvline(x[day], ymax=1 / 1.8, color="#C00000", lw=1.5, label=None if i else "broken", gid="today")
        if mid.has_data():
            mid.legend(fontsize=SERIES_TEXT, loc="upper left", ncols=3, frameon=False, borderaxespad=0.1)
        low.plot(x, ts["displaced"] / 1000, color="#202020", lw=1.6, gid="today")
        low.set_ylim(0, max(1.0, 1.1 * float(ts["displaced"].max()) / 1000))
        twin.plot(x, ts["turkish_deaths"], color=FACTION_COLOURS["turkey"], lw=1.6, gid="today")
        twin.set_ylim(0, max(1.0, 1.1 * float(ts["turkish_deaths"].max())))
        return self.figure
