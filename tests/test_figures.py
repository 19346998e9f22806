"""The figure fixes of issue 12: nothing clipped, the corridor where the agreement puts it, where the last patrol
was stopped said so, the towns of the day named without clutter, readable animation frames, panels in rows, rounded ticks,
and scenario events that do not run over the lines."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

import sim.viz.animation as animation
from sim import load_scenario, simulate, write_run
from sim.analysis.results import RunData, load_results
from sim.viz import plots
from sim.viz.figures import control_map_figure
from sim.viz.labels import main_towns
from sim.viz.map_state import MapPatrol, run_state
from sim.viz.sweep_plots import cell_format, heat_map, response_plot, tick_labels

from .conftest import ROOT
from .test_maps import find, toy_results  # noqa: F401 - the shared folders


@pytest.fixture(scope="module")
def moscow():
    """The Moscow scenario's first month, one run, in memory."""
    result = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 4, 5)))
    return result, RunData.of(result), json.loads(result.scenario.canonical_json())["events"]


def map_of(result, run, events, date):
    state = run_state(result.theatre, events, run, date)
    changed = run.history[run.day(date)] != run.history[0]
    return state, control_map_figure(result.theatre, state, "x", changed=changed)


def test_nothing_on_a_map_sticks_out_of_the_figure(moscow):
    result, run, events = moscow
    _, fig = map_of(result, run, events, dt.date(2020, 3, 20))
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, box


def test_the_corridor_band_stops_where_the_patrol_route_ends(moscow):
    result, run, events = moscow
    t = result.theatre
    _, fig = map_of(result, run, events, dt.date(2020, 3, 20))
    band = find(fig.axes[0], "corridor")
    assert band
    inside = np.zeros(t.n, bool)
    for patch in band:
        inside |= MplPath(patch.get_xy()).contains_points(np.column_stack([t.lon, t.lat]))
    named = {t.towns[i] for i in np.flatnonzero(inside)}
    assert {"Tronba", "Ain al-Havr", "Ariha"} <= named and "Latakia" not in named
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert any("security corridor along the joint-patrol route" in x for x in legend)


def test_the_legend_says_where_the_last_patrol_was_stopped_or_that_it_drove_the_whole_route(moscow):
    result, run, events = moscow
    state = run_state(result.theatre, events, run, dt.date(2020, 3, 20))
    route = state.patrols[0].route

    def legend(patrol):
        state.patrols = [patrol]
        fig = control_map_figure(result.theatre, state, "x")
        return [x.get_text() for x in fig.legends[0].get_texts()]

    assert "Last patrol (15 Mar) stopped at Nayrab (Idlib), 4% of the route" in legend(
        MapPatrol("M4", route, route[1], 0.044, dt.date(2020, 3, 15)))
    assert "Last patrol (22 Jul) covered the whole route, to Ain al-Havr" in legend(
        MapPatrol("M4", route, route[-1], 1.0, dt.date(2020, 7, 22)))


def test_the_towns_that_matter_to_the_day_are_named_and_no_two_names_collide():
    result = simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml", end=dt.date(2020, 2, 20)))
    run, events = RunData.of(result), json.loads(result.scenario.canonical_json())["events"]
    _, fig = map_of(result, run, events, dt.date(2020, 2, 20))
    ax = fig.axes[0]
    labels = [a for a in ax.texts if a.get_gid() == "label"]
    named = {a.get_text() for a in labels}
    t = result.theatre
    assert {t.towns[i] for i in np.flatnonzero(main_towns(t))} <= named
    changed = {t.towns[i] for i in np.flatnonzero(run.history[-1] != run.history[0])}
    assert len(named & changed - {t.towns[i] for i in np.flatnonzero(main_towns(t))}) >= 2, (named, changed)
    renderer = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b) or min(a.x1, b.x1) - max(a.x0, b.x0) < 1 or min(a.y1, b.y1) - max(a.y0, b.y0) < 1


def test_where_the_last_patrol_stopped_is_named_only_where_there_is_room():
    """A Moscow run's map of 27 July stacked the name of the last patrol's stop, Al-Kufayr, on Jisr al-Shughur's: it was
    a name the map had to show, placed over any other. It is named where there is room, before the day's other towns."""
    result = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 7, 27)))
    run, events = RunData.of(result), json.loads(result.scenario.canonical_json())["events"]
    state, fig = map_of(result, run, events, dt.date(2020, 7, 27))
    assert [result.theatre.towns[p.reached] for p in state.patrols] == ["Al-Kufayr"]
    renderer = fig.canvas.get_renderer()
    labels = {a.get_text(): a.get_window_extent(renderer) for a in fig.axes[0].texts if a.get_gid() == "label"}
    assert "Jisr al-Shughur" in labels
    for (a, box_a), (b, box_b) in itertools.combinations(labels.items(), 2):
        assert min(min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0), min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)) < 1, (a, b)


def animation_figure(ens, monkeypatch):  # noqa: ANN001, ANN201 - a results folder; a Figure
    """The figure ``animate`` draws the frames of an ensemble's animation on, without saving it."""
    seen = {}

    def keep(anim, path, writer, progress=False):  # noqa: ANN001
        seen["fig"] = anim._fig
        anim._draw_was_started = True  # not drawn here: matplotlib would warn on deleting it
        return path

    monkeypatch.setattr(animation, "save_animation", keep)
    animation.animate(ens, out=ens / "control_test.gif", max_frames=3)
    return seen["fig"]


def test_animation_frames_are_large_and_the_colour_bar_clears_the_legend(toy_results, monkeypatch):  # noqa: F811
    _, ens = toy_results
    fig = animation_figure(ens, monkeypatch)
    width, height = fig.get_size_inches() * animation.DPI
    assert width >= 1000 and height >= 700  # the 648 x 460 frames were unreadable
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    colour_bar = fig.axes[1].get_window_extent(renderer)
    assert not colour_bar.overlaps(legend)
    assert colour_bar.y1 < fig.axes[0].get_window_extent(renderer).y0 + 1  # below the map


def test_an_ensemble_frame_with_a_corridor_leaves_the_map_most_of_its_width(tmp_path, monkeypatch):
    """A Moscow ensemble's legend, its corridor entry on one long line, took over half of each frame: the map had 41%."""
    from sim.experiments.ensemble import run_ensemble

    ens = tmp_path / "ens"
    run_ensemble(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 3, 20)), 2, ens, workers=1)
    fig = animation_figure(ens, monkeypatch)
    assert any("security corridor" in t.get_text() for t in fig.legends[0].get_texts())
    renderer = fig.canvas.get_renderer()
    assert fig.axes[0].get_window_extent(renderer).width >= 0.5 * fig.bbox.width


def test_the_patrol_route_is_drawn_on_a_white_edge_to_show_over_the_corridor(moscow):
    result, run, events = moscow
    _, fig = map_of(result, run, events, dt.date(2020, 3, 20))
    (route,) = find(fig.axes[0], "patrol_route")
    strokes = [e for e in route.get_path_effects() if type(e).__name__ == "Stroke"]
    assert strokes and strokes[0]._gc["foreground"] == "white" and strokes[0]._gc["linewidth"] > route.get_linewidth()


def test_a_response_plot_of_five_parameters_is_not_a_strip():
    rng = np.random.default_rng(0)
    names = [f"p{k}" for k in range(5)]
    rows = pd.DataFrame(rng.random((200, 5)), columns=names)
    rows["y"] = rows.sum(axis=1)
    fig = response_plot(rows, rows.assign(point=range(200)), names, "y")
    width, height = fig.get_size_inches()
    assert width / height < 2.5 and len([ax for ax in fig.axes if ax.get_visible()]) == 5


def test_a_sweeps_figures_write_a_million_displaced_in_full_not_as_1e6():
    """`sweep-report`'s response curve of `displaced` read 0.4 .. 1.2 under a "1e6" in the corner, and its heat map's
    colour bar the same: a count of people is written out, with thousands separated, as the other figures do."""
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"a": np.repeat([0.0, 0.5, 1.0], 20), "b": np.tile([1.0, 2.0], 30)})
    rows["displaced"] = 600_000 + 500_000 * rows["a"] + rng.normal(0, 20_000, len(rows))
    response = response_plot(rows, rows.assign(point=range(len(rows))), ["a", "b"], "displaced")
    colour_bar = heat_map(rows, "a", "b", "displaced", grid=True).axes[-1]
    for axis in (response.axes[0].yaxis, colour_bar.yaxis):
        axis.get_figure().canvas.draw()
        labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        assert axis.get_offset_text().get_text() == "", axis.get_offset_text().get_text()
        assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", label) for label in labels), labels


def test_heat_map_ticks_are_rounded_and_cells_formatted_alike():
    assert tick_labels(np.linspace(0, 0.95, 5)) == ["0.00", "0.24", "0.47", "0.71", "0.95"]  # 0.2375 was printed whole
    assert tick_labels(np.array([0.5, 1.5, 2.5, 4.0])) == ["0.5", "1.5", "2.5", "4.0"]
    assert tick_labels(np.array([10.0, 20.0, 30.0])) == ["10", "20", "30"]
    assert cell_format(np.array([2.0, 3.0, np.nan])) == "{:,.0f}"
    assert cell_format(np.array([2.5, 17.0, 3.667])) == "{:.1f}"
    grid = pd.DataFrame([(a, b) for a in np.linspace(0, 0.95, 5) for b in (0.5, 1.5) for _ in range(3)], columns=["a", "b"])
    grid["m"] = grid["a"] * 10 + grid["b"] / 3
    fig = heat_map(grid, "a", "b", "m", grid=True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.00", "0.24", "0.47", "0.71", "0.95"]
    cells = [t.get_text() for t in ax.texts]
    assert cells and len({len(c.split(".")[1]) if "." in c else 0 for c in cells}) == 1


def test_a_constant_metrics_heat_map_ticks_its_one_value_only():
    """Round 55: a metric the same at every point (0 days) drew a colour bar from -0.1 to 0.1, ticking negative days
    that no point had: matplotlib widens a single value so as to have a range."""
    grid = pd.DataFrame([(a, b) for a in (0.2, 0.8) for b in (0.5, 1.5) for _ in range(2)], columns=["a", "b"])
    grid["ceasefire_days"] = 0.0
    fig = heat_map(grid, "a", "b", "ceasefire_days", grid=True)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[-1].yaxis.get_ticklabels() if t.get_text()]
    assert len(ticks) == 1 and float(ticks[0].replace("\u2212", "-")) == 0.0, ticks


def test_towns_held_numbers_events_and_names_them_in_a_key(toy_results):  # noqa: F811
    single, _ = toy_results
    fig = plots.towns_held_figure(load_results(single))
    top, ax, key = fig.axes
    numbers = [a.get_text() for a in top.texts if a.get_gid() == "event_number"]
    assert numbers == ["1", "2"]
    assert [a for a in ax.texts if a.get_gid() != "event_number"] == []  # no label over the lines
    described = [x.get_text() for x in key.get_legend().get_texts()]
    assert described == ["1 Jan: Government offensive toward T12", "6 Jan: Deal in force"]
    assert not any(re.search(r"\boffensive start\b|agreement\b", x) for x in described)


def style_colours() -> list[str]:
    """Every colour sim/viz/style.py names ('#RRGGBB' constants, and those in its dicts: factions, road styles)."""
    from sim.viz import style

    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            found.add(value.upper())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    for name, value in vars(style).items():
        if name.isupper():
            walk(value)
    return sorted(found)


def test_a_saved_png_keeps_every_colour_of_the_style_exactly(tmp_path):
    """PNGs were cut to 256 colours by median cut, which drops small, rare colours: on the campaign map the Russian
    military police (#CC79A7) came out brown-grey (185, 167, 152), and ensemble maps' reported front and front spread
    shifted. Here each colour of the style is a small solid patch over a smooth gradient of thousands of colours
    (as a probability map's shading is), and each must be in the PNG exactly."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle
    from PIL import Image

    from sim.viz.style import new_figure, save_figure

    colours = style_colours()
    assert {"#CC79A7", "#56B4E9", "#6A1B9A", "#D55E00"} <= set(colours)
    fig = new_figure(figsize=(6, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    y, x = np.mgrid[0:1:300j, 0:1:400j]
    ax.imshow(np.dstack([x, y, 1 - x * y]), extent=(0, 1, 0, 1), aspect="auto", interpolation="bilinear")
    for k, colour in enumerate(colours):
        ax.add_patch(Rectangle((0.02 + 0.07 * k, 0.04), 0.035, 0.05, color=colour, lw=0, zorder=3))
    path = save_figure(fig, tmp_path / "colours.png")
    with Image.open(path) as image:
        assert image.mode == "P"  # still a palette PNG: maps stay small
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    present = {tuple(int(v) for v in p) for p in np.unique(pixels, axis=0)}
    assert len(present) > 200  # the gradient did take most of the palette
    missing = [c for c in colours if tuple(round(255 * v) for v in to_rgb(c)) not in present]
    assert missing == []


class FrameRecorder(animation.animation.AbstractMovieWriter):
    """A movie writer that writes nothing: it notes, for each frame, its title, its legend and what the map draws."""

    def __init__(self) -> None:
        super().__init__(fps=4)
        self.frames: list[dict] = []

    def setup(self, fig, outfile, dpi=None) -> None:  # noqa: ANN001
        super().setup(fig, outfile, dpi)

    def grab_frame(self, **savefig_kwargs) -> None:
        fig = self.fig
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        (legend,) = fig.legends
        drawn = {a.get_gid() for a in (*ax.collections, *ax.patches, *ax.lines)
                 if not hasattr(a, "get_offsets") or len(a.get_offsets())}
        note = [t for t in fig.texts if t.get_text()]
        labels = [t for t in ax.texts if t.get_gid() == "label"]
        self.frames.append({"title": ax.get_title(), "legend": [t.get_text() for t in legend.get_texts()], "drawn": drawn,
                            "labels": {t.get_text(): t.get_window_extent(renderer) for t in labels},
                            "clear": not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
                            and not any(legend.get_window_extent(renderer).overlaps(t.get_window_extent(renderer)) for t in note)})

    def finish(self) -> None:
        pass


def test_an_animation_keeps_to_its_frames_and_each_frames_legend_to_what_it_draws(moscow, tmp_path, monkeypatch):
    """`map --animate` of a Moscow run wrote 61 frames where at most 60 were asked for (every third day, then the last
    day as one more), and every frame's legend was the last day's: "Where the last patrol stopped" stood beside the
    frames before the first patrol. Now the frames are spread over the run, first and last day among them, and each
    frame's legend names only what that frame draws."""
    result, _, _ = moscow
    folder = write_run(result, tmp_path / "run", map_png=False)
    recorder = FrameRecorder()
    monkeypatch.setattr(animation, "save_animation", lambda anim, path, writer, progress=False: anim.save(path, writer=recorder) or path)
    animation.animate(folder, out=tmp_path / "control.gif", max_frames=8)  # 32 days: every fourth day was 9 frames
    frames = recorder.frames
    assert len(frames) == 8, [f["title"] for f in frames]
    assert frames[0]["title"].endswith(": 5 March 2020") and frames[-1]["title"].endswith(": 5 April 2020")
    entries = {"Where the last patrol stopped": "patrol_reached", "Joint patrol route (M4)": "patrol_route",
               "Russian military police": "military_police", "Turkish post, encircled": "posts_encircled",
               "Turkish post": "posts"}
    for f in frames:
        for label, gid in entries.items():
            assert (label in f["legend"]) == (gid in f["drawn"]), (f["title"], label, f["legend"])
        assert any(x.startswith("M4 security corridor") for x in f["legend"]) == ("corridor" in f["drawn"]), f
        assert f["clear"], f["title"]  # the legend is off the map and off the captions beneath it
    before = [f for f in frames if "patrol_reached" not in f["drawn"]]
    assert before and len(before) < len(frames)  # frames before the first patrol (15 March), and after


def test_animation_frames_keep_the_styles_colours(moscow, tmp_path):
    """Each GIF frame was cut to 256 colours by Pillow's own quantiser, which, like the PNGs' median cut, dropped
    small colours: the military police and the patrol route lost their pink on most frames of a Moscow run. Frames
    now go through the PNGs' palette, every colour of the style exact."""
    from matplotlib.colors import to_rgb
    from PIL import Image

    from sim.viz.style import FACTION_COLOURS

    result, _, _ = moscow
    folder = write_run(result, tmp_path / "run", map_png=False)
    gif = animation.animate(folder, out=tmp_path / "control.gif", max_frames=3)[0]
    wanted = {name: tuple(round(255 * v) for v in to_rgb(FACTION_COLOURS[name])) for name in ("regime", "hts", "rebels", "russia", "turkey")}
    with Image.open(gif) as image:
        assert image.n_frames == 3
        for k in range(image.n_frames):
            image.seek(k)
            present = {tuple(int(v) for v in p) for p in np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)}
            assert [name for name, rgb in wanted.items() if rgb not in present] == [], k


def test_an_ensemble_map_names_the_patrol_route_it_draws(moscow):
    """A Moscow ensemble's probability map drew the joint-patrol route (dashed, pink) with nothing in the legend to
    say what it was; a single run's map names it."""
    from sim.viz.figures import ensemble_figure
    from sim.viz.map_state import ensemble_state

    from .test_maps import find

    result, run, events = moscow
    es = ensemble_state(result.theatre, events, [run], dt.date(2020, 3, 20))
    fig = ensemble_figure(result.theatre, es, "regime", "x")
    assert find(fig.axes[0], "patrol_route")
    assert "Joint patrol route (M4)" in [x.get_text() for x in fig.legends[0].get_texts()]


def test_an_animation_frame_names_its_own_patrols_stop_and_no_two_names_pile_up(tmp_path, monkeypatch):
    """A Moscow run's animation placed its labels once for every frame, with every town any patrol of any frame reached
    as a name it must show: must-have names were stacked (Al-Zainiyah over Al-Kufayr, Furaykah over Bsanqul), and the
    14 March frame, before the first patrol, named the towns later patrols stopped at. Now only the routes' ends must be
    named; a frame's own last-patrol stop is named where there is room, on that frame."""
    result = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml"))  # to 31 August: patrols stop at many towns
    t, events = result.theatre, json.loads(result.scenario.canonical_json())["events"]
    folder = write_run(result, tmp_path / "run", map_png=False)
    recorder = FrameRecorder()
    monkeypatch.setattr(animation, "save_animation", lambda anim, path, writer, progress=False: anim.save(path, writer=recorder) or path)
    animation.animate(folder, out=tmp_path / "control.gif", max_frames=20)  # 5, 14 March, ... every 9 or 10 days
    assert recorder.frames[1]["title"].endswith(": 14 March 2020")
    run = RunData.of(result)
    main = {t.towns[i] for i in np.flatnonzero(main_towns(t))}
    stops = set()
    for f in recorder.frames:
        day = dt.datetime.strptime(f["title"].rsplit(": ", 1)[1], "%d %B %Y").date()
        patrols = run_state(t, events, run, day).patrols
        ends = {t.towns[i] for p in patrols for i in (p.route[0], p.route[-1])}
        stop = {t.towns[p.reached] for p in patrols if p.reached is not None}
        stops |= stop
        assert set(f["labels"]) <= main | ends | stop, (f["title"], set(f["labels"]) - main - ends - stop)
        for (a, box_a), (b, box_b) in itertools.combinations(f["labels"].items(), 2):
            shared = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0), min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            assert min(shared) < 1, (f["title"], a, b)
    assert len(stops) >= 3  # patrols stopped at several towns over the month: the test saw frames with stops to name
    assert any(stop in f["labels"] for f in recorder.frames for stop in stops - main)


def _overlap(a, b) -> float:  # noqa: ANN001 - two Bboxes
    """How far two boxes overlap, in pixels, along the axis they overlap least (0 if apart)."""
    return max(0.0, min(min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)))


def test_a_long_metric_label_is_wrapped_to_its_axis_not_run_into_the_title():
    """On a 2 x 2 grid's heat map the colour bar's label (`control accuracy (share of towns with the reported holder)`)
    was longer than the figure was tall and ran up across the title, and on a one-parameter sweep the response plot's
    y label did the same to the suptitle: a label is broken into lines that fit beside its axis."""
    rows = pd.DataFrame([(a, b) for a in (0.3, 0.8) for b in (0.5, 2.0) for _ in range(2)], columns=["a", "b"])
    for metric in ("control_accuracy", "casualties_rebels", "met:capture-abu-habbah-regime-20-dec"):
        rows[metric] = np.arange(len(rows), dtype=float)
        for fig, axis in ((heat_map(rows, "a", "b", metric, grid=True), -1),
                          (response_plot(rows, rows.assign(point=range(len(rows))), ["a"], metric), 0)):
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            ax = fig.axes[axis]
            label = ax.yaxis.label.get_window_extent(renderer)
            titles = [t for t in (fig._suptitle, fig.axes[0].title) if t is not None and t.get_text()]
            for title in titles:
                assert _overlap(label, title.get_window_extent(renderer)) < 1, (metric, ax.yaxis.label.get_text())
            assert label.y0 >= 0 and label.y1 <= fig.bbox.height, (metric, ax.yaxis.label.get_text())


def test_a_sampled_parameter_whose_points_share_a_value_is_binned_without_empty_bins():
    """A design from a file that holds a parameter at its baseline at most points and moves it at 13 or more (a
    one-at-a-time design) put most points on one value: the response plot's quantile bins between equal edges were
    empty, numpy warned "Mean of empty slice" on sweep-report's terminal, and the curve had gaps."""
    a = np.r_[np.full(48, 0.5), np.linspace(0.2, 0.9, 12)]
    rows = pd.DataFrame({"a": a, "b": np.linspace(0.5, 3.0, 60)})
    rows["y"] = rows["a"] * 2 + rows["b"]
    fig = response_plot(rows, rows.assign(point=range(60)), ["a", "b"], "y")  # warnings are errors here
    (curve,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "mean"]
    assert np.isfinite(curve.get_xdata()).all() and np.isfinite(curve.get_ydata()).all()


def test_an_ensemble_maps_legend_with_a_corridor_a_patrol_and_a_tie_stays_inside_the_figure(moscow):
    """An ensemble map with every entry at once (a corridor on two lines, the patrol route, a tied town and its hatching)
    laid its four columns out wider than the figure: the first and last were cut off at both edges of the PNG."""
    import dataclasses

    from sim.names import HOLDERS
    from sim.viz.figures import ensemble_figure
    from sim.viz.map_state import ensemble_state

    result, run, events = moscow
    day = dt.date(2020, 3, 20)
    k = run.day(day)
    other = dataclasses.replace(run, history=run.history.copy())
    town = int(np.flatnonzero(run.history[k] == HOLDERS.index("regime"))[0])
    other.history[k:, town] = HOLDERS.index("hts")  # held by each side in one run of two: a tie
    fig = ensemble_figure(result.theatre, ensemble_state(result.theatre, events, [run, other], day), "regime", "x")
    labels = [x.get_text() for x in fig.legends[0].get_texts()]
    assert any("tie" in x for x in labels) and any("corridor" in x for x in labels), labels
    box = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (box, fig.bbox.width)


def test_a_heat_maps_parameter_name_is_broken_after_a_dot_not_inside_a_word():
    """A small sweep's heat map labelled its axis 'turkey.troop_deterr' over 'ence': a dotted parameter path longer than
    its axis is broken where its parts meet."""
    grid = pd.DataFrame([(a, b) for a in (0.5, 0.99) for b in (0.0, 0.5) for _ in range(2)],
                        columns=["events.moscow-protocol.restraint", "turkey.troop_deterrence"])
    grid["m"] = grid.iloc[:, 0] + grid.iloc[:, 1]
    fig = heat_map(grid, *grid.columns[:2], "m", grid=True)
    assert fig.axes[0].get_ylabel() == "turkey.\ntroop_deterrence"
