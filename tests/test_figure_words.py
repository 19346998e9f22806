"""Words and marks a reader of a figure was misled by (a review in round 35): the sweep report's metric names, an animation
frame's captions, the reported diamonds of towns_held.png, and town names crossed by roads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.viz.sweep_plots import heat_map, response_plot

from .test_figures import moscow  # noqa: F401 - the shared run
from .test_maps import toy_results  # noqa: F401 - the shared folders


def _grid(metric: str) -> pd.DataFrame:
    rows = pd.DataFrame([(a, b) for a in (0.0, 0.5, 1.0) for b in (1.0, 2.0) for _ in range(3)], columns=["a", "b"])
    rows[metric] = np.arange(len(rows), dtype=float)
    return rows


def _words(fig) -> str:  # noqa: ANN001 - a Figure
    texts = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes), *(ax.get_ylabel() for ax in fig.axes)]
    return " | ".join(t for t in texts if t)


def test_a_sweeps_figures_name_the_government_as_every_other_figure_does():
    """`sweep-report`'s figures of `towns_regime` read "towns regime" on the axis and in the title, where every other
    figure, the summary and the README say "Government"; "turkish deaths" was lower-case, and "outcomes met" did not say
    it is a share (0.56, not 56 outcomes). The words say what is counted; the metric's own name stays, for report.md."""
    for metric, said in (("towns_regime", "towns held by the Government"), ("turkish_deaths", "Turkish soldiers killed"),
                         ("outcomes_met", "share of reported outcomes met"), ("ceasefire_days", "days the first ceasefire")):
        rows = _grid(metric)
        for fig in (response_plot(rows, rows.assign(point=range(len(rows))), ["a", "b"], metric),
                    heat_map(rows, "a", "b", metric, grid=True)):
            words = _words(fig)
            assert said in words and metric in words, words
            assert "towns regime" not in words and "turkish deaths" not in words, words
    rows = _grid("met:saraqib-captured")  # a metric without words keeps its name, as before
    assert "met: saraqib-captured" in _words(heat_map(rows, "a", "b", "met:saraqib-captured", grid=True))


def test_a_deals_own_metric_is_named_in_words_and_by_its_name():
    """A sweep's heat map of `ceasefire_days:jan-truce` was titled "ceasefire days:jan-truce": neither the words that
    `ceasefire_days` gets beside it ("days the first ceasefire stays in force") nor the name `--metric` and report.md
    use. A deal's own metrics get words, and keep their names, as the whole run's do."""
    for metric, said in (("ceasefire_days:jan-truce", "days the jan-truce deal stays in force"),
                         ("ceasefire_broken:jan-truce", "jan-truce deal broken (1 yes, 0 no)")):
        rows = _grid(metric)
        for fig in (response_plot(rows, rows.assign(point=range(len(rows))), ["a", "b"], metric),
                    heat_map(rows, "a", "b", metric, grid=True)):
            words = _words(fig)
            assert said in words and metric in words, words


def test_an_outcomes_day_says_it_counts_days_from_the_start_over_the_runs_that_saw_it():
    """A sweep's figure of `day:maarat-captured` read "day of: maarat-captured" against 50 .. 70, with no word of what
    the numbers count (days after the scenario's start) nor that a run without the capture is left out (round 69's
    what-if walk)."""
    metric = "day:maarat-captured"
    rows = _grid(metric)
    for fig in (response_plot(rows, rows.assign(point=range(len(rows))), ["a", "b"], metric),
                heat_map(rows, "a", "b", metric, grid=True)):
        words = " ".join(_words(fig).split())  # a long title is wrapped to the figure's width
        assert "days from the start to maarat-captured" in words and "runs that saw it" in words, words
        assert metric in words and "day of:" not in words, words


def test_a_heat_maps_cell_without_runs_and_its_cell_of_runs_without_a_value_are_told_apart():
    """A sampled sweep's heat map left a cell blank both where no point fell and where its runs had no value (a truce
    never in force, NaN days): two different answers drawn alike. A cell with no run is hatched; one whose runs all
    lack a value says so in compare's word ("never", "none"); a line under the map says which is which."""
    values = np.arange(8) / 7  # one value in each of the 8 equal bins from 0 to 1
    cells = [(i, j) for i in range(8) for j in range(8) if (i < 4) == (j < 4)]  # two quarters of the square hold points
    rows = pd.DataFrame([(values[i], values[j]) for i, j in cells for _ in range(2)], columns=["a", "b"])
    rows["ceasefire_days"] = np.where((rows["a"] == 1.0) & (rows["b"] > 0.5), np.nan, 10 * rows["a"])
    rows["patrol_coverage_mean"] = rows["ceasefire_days"] / 10
    for metric, word in (("ceasefire_days", "never"), ("patrol_coverage_mean", "none")):
        fig = heat_map(rows, "a", "b", metric, grid=False)
        ax = fig.axes[0]
        hatched = {(round(r.get_x() + 0.5), round(r.get_y() + 0.5)) for r in ax.patches if r.get_hatch()}
        assert hatched == {(i, j) for i in range(8) for j in range(8) if (i < 4) != (j < 4)}
        marked = {(round(t.get_position()[0]), round(t.get_position()[1])) for t in ax.texts if t.get_text() == word}
        assert marked == {(7, j) for j in range(4, 8)}
        said = " ".join(" ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))).split())
        assert "hatched: no run in this cell" in said and f'"{word}": runs in this cell, none with a value' in said, said
    full = heat_map(_grid("ceasefire_days"), "a", "b", "ceasefire_days", grid=True)  # nothing to tell apart: no words
    assert not full.axes[0].patches and "hatched" not in " ".join(t.get_text() for t in full.findobj(lambda a: hasattr(a, "get_text")))


def test_a_frames_captions_keep_the_events_of_its_own_day():
    """The campaign's last frame, dated 5 March, listed five events of 4 March ("Urum al-Sughra taken: rebels →
    Government") and hid 5 March's retaking of Urum al-Sughra by the rebels under "… and 1 more", while its map showed
    the town the rebels': the caption said the opposite of the map. A frame keeps the latest events, those nearest the
    day it shows, and says how many earlier ones it leaves out."""
    from sim.viz.animation import frame_captions

    log = pd.DataFrame([("2020-03-04", "capture", f"T{k}", "regime;rebels", "rebels -> regime") for k in range(5)]
                       + [("2020-03-05", "capture", "T1", "rebels;regime", "regime -> rebels")],
                       columns=["date", "type", "town", "actors", "detail"])
    lines = frame_captions(log, "2020-03-04", "2020-03-05")
    assert lines[-1] == "5 Mar: T1 taken: Government → Turkish-backed rebels", lines
    assert lines[0] == "… 1 earlier, not shown" and len(lines) == 6, lines


def test_towns_helds_diamonds_say_which_days_were_reported(toy_results):  # noqa: F811
    """towns_held.png's legend called the diamonds "Reported (theatre control columns)": a name from the theatre file's
    layout, which says nothing to a reader of the figure, nor on which days control was reported (the Moscow figure's
    lone diamond stands on 6 March, not on the scenario's first day). The legend gives the days."""
    import datetime as dt

    from sim.analysis.results import load_results
    from sim.names import date_words
    from sim.viz import plots

    single, _ = toy_results
    results = load_results(single)
    fig = plots.towns_held_figure(results)
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    days = [d for d in sorted(results.theatre.control) if results.start <= d <= results.end + dt.timedelta(days=1)]
    assert days and not any("theatre control columns" in t for t in texts), texts
    (said,) = [t for t in texts if t.startswith("Reported control")]
    assert all(date_words(d, "%b") in said for d in days), (said, days)


def test_a_road_under_a_town_name_does_not_show_between_its_words(moscow):  # noqa: F811
    """The names' white outline left a gap between two words, and a road or a cell's edge crossing it read as a hyphen:
    "Ad-Dana", "Maarat-al-Numan" on the ensemble maps. The outline of a map's town name closes the gap between words."""
    import datetime as dt

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .test_figures import map_of

    _, fig = map_of(*moscow, dt.date(2020, 3, 20))
    names = [t for t in fig.axes[0].texts if t.get_gid() == "label" and " " in t.get_text()]
    assert names
    (label,) = [t for t in names if t.get_text() == "Ad Dana"]
    test = Figure(figsize=(3, 1), dpi=fig.dpi)
    FigureCanvasAgg(test)
    ax = test.add_axes([0, 0, 1, 1], xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    renderer = test.canvas.get_renderer()
    first, rest = label.get_text().split(" ", 1)
    kw = dict(fontsize=label.get_fontsize(), ha="left", va="center", path_effects=label.get_path_effects())
    name = ax.text(0.2, 0.5, f"{first} {rest}", **kw)
    parts = [ax.text(0.2, 0.5, s, **kw) for s in (first, f"{first} {rest[0]}", rest[0])]
    test.canvas.draw()
    word, upto, letter = (p.get_window_extent(renderer) for p in parts)
    for p in parts:
        p.remove()
    gap = (word.x1 + upto.x1 - letter.width) / 2  # the middle of the space between the two words, in pixels
    ax.axvline(ax.transData.inverted().transform((gap, 0))[0], color="black", lw=0.8, zorder=0)
    test.canvas.draw()
    image = np.asarray(test.canvas.buffer_rgba())[..., :3].mean(axis=2)
    box = name.get_window_extent(renderer)
    row = image.shape[0] - int(round(box.y0 + box.height / 2))
    assert image[row - 2:row + 3, int(gap) - 1:int(gap) + 2].min() > 230, (label.get_text(), image[row - 2:row + 3, int(gap) - 1:int(gap) + 2])


def test_a_sweeps_figures_of_capture_mae_say_they_are_lower_bounds_where_a_capture_never_came():
    """compare prints a capture MAE counting a capture that never comes (as the day after the run ends) "≥ 7.2", and
    report.md says so of a sweep's means, but its response plot and heat map drew those means unmarked. Where some run
    never saw a capture it counts (a `day:<id>` NaN), the axis (the colour bar) and the title say they are lower bounds,
    and in how many runs; where every run saw each, nothing is said."""
    metric = "capture_mae_days"
    rows = _grid(metric).assign(**{"day:t1": 20.0})
    never = rows.assign(**{"day:t1": np.where(rows.index % 6 == 0, np.nan, 20.0)})  # one run in six: 3 of the 18
    for data, bound in ((never, True), (rows, False)):
        response = response_plot(data, data.assign(point=range(len(data))), ["a", "b"], metric)
        heat = heat_map(data, "a", "b", metric, grid=True)
        for fig, axis in ((response, response.axes[0]), (heat, heat.axes[-1])):  # the shared y axis; the colour bar
            label, title = " ".join(axis.get_ylabel().split()), " ".join(_words(fig).split())
            assert ("lower bound" in label) == bound, label
            assert ("a capture never came in 3 of the 18 runs" in title) == bound and metric in title, title
