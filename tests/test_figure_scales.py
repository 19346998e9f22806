"""Scales, names and keys a reader of a figure could not rely on (a later review): the calibration panels' unlabelled,
unshared y axes, the sweep heat map's evenly spaced uneven values, the ensemble animation's title that did not say what
it shades, the patrol route's unnamed start, and the patrol chart's key that did not draw its boxes' whiskers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import same_color, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.analysis.results import load_results
from sim.viz import plots
from sim.viz.calibration_plots import marginals_plot, slices_plot
from sim.viz.sweep_plots import heat_map

from .test_figures import map_of, moscow  # noqa: F401 - the shared run
from .test_maps import toy_results  # noqa: F401 - the shared folders
from .test_plots_review import quiet  # noqa: F401


def _study(rng: np.random.Generator) -> tuple[dict, pd.DataFrame, pd.Series, pd.DataFrame]:
    """Six parameters (one on a log scale), 30 accepted trials bunched on one of them, and slices: steep along
    ``steep``, all but flat along the others."""
    bounds = {"steep": (0.0, 1.0, False), "scale": (0.01, 1.0, True), **{f"flat{k}": (0.0, 2.0, False) for k in range(4)}}
    accepted = pd.DataFrame({name: rng.uniform(low, high, 30) for name, (low, high, _) in bounds.items()})
    accepted["steep"] = rng.normal(0.5, 0.02, 30)
    rows = []
    for name, (low, high, log) in bounds.items():
        for v in (np.geomspace if log else np.linspace)(low, high, 7):
            rise = 2.0 * (v - 0.5) ** 2 if name == "steep" else 0.01 * v / high
            rows.append((name, v, 0.5 + rise))
    return bounds, accepted, accepted.iloc[0], pd.DataFrame(rows, columns=["parameter", "value", "objective"])


def test_a_calibrations_panels_have_one_labelled_scale():
    """marginals.png's histograms had no y ticks at all (a bar of 3 trials and one of 25 could not be told from their
    heights across panels), and slices.png's objective axes had no label and each its own scale, so a 0.01 wobble of a
    loose parameter looked as steep as a constrained parameter's rise. Each figure's panels share one y axis,
    labelled on the left column, whose ticks are read (whole trials on the histograms)."""
    bounds, accepted, best, slices = _study(np.random.default_rng(4))
    hand = {name: (low + high) / 2 for name, (low, high, _) in bounds.items()}
    verdicts = dict.fromkeys(bounds, "loose")
    for fig, said in ((marginals_plot(accepted, bounds, best, hand, verdicts), "trials"),
                      (slices_plot(slices, bounds, best, hand, 0.05, verdicts), "objective")):
        fig.canvas.draw()
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == len(bounds)
        first = axes[0]
        assert all(first.get_shared_y_axes().joined(first, ax) for ax in axes), "each panel on its own y scale"
        assert len({ax.get_ylim() for ax in axes}) == 1
        left = [ax for ax in axes if ax.get_subplotspec().is_first_col()]
        assert len(left) == 2 and all(said in ax.get_ylabel() for ax in left), [ax.get_ylabel() for ax in left]
        ticks = [t.get_text() for t in first.get_yticklabels() if t.get_text()]
        assert len(ticks) >= 2, ticks
    marg = marginals_plot(accepted, bounds, best, hand, verdicts)
    marg.canvas.draw()
    ticks = [t.get_text().replace("\N{MINUS SIGN}", "-") for t in marg.axes[0].get_yticklabels() if t.get_text()]
    assert all(t.isdigit() for t in ticks), ticks  # a count of trials, in whole numbers
    tallest = max(p.get_height() for ax in marg.axes for p in ax.patches if isinstance(p, Rectangle))
    assert marg.axes[0].get_ylim()[1] >= tallest >= 10  # the bunched parameter's bar is on the shared scale


def test_a_value_at_its_bound_is_drawn_inside_the_panel():
    """Round 38's calibrated ``regime.deploy_km`` (3.02, its lower bound 3) had its line on the panel's left spine, and a
    reader saw no calibrated value at all. Each panel reaches a little beyond both bounds, on a log scale as well."""
    bounds, accepted, best, slices = _study(np.random.default_rng(4))
    best = best.copy()
    best["steep"], best["scale"] = 0.0, 1.0  # at the lower bound, and at the upper bound of the log-scaled one
    hand = {"flat0": 2.0}
    verdicts = dict.fromkeys(bounds, "loose")
    for fig in (marginals_plot(accepted, bounds, best, hand, verdicts), slices_plot(slices, bounds, best, hand, 0.05, verdicts)):
        for ax, name in zip([ax for ax in fig.axes if ax.get_visible()], bounds, strict=True):
            left, right = ax.get_xlim()
            upright = [line.get_xdata() for line in ax.lines if len(line.get_xdata()) == 2]  # axvline's two x are equal
            lines = [x[0] for x in upright if x[0] == x[1]]
            assert lines and all(left < x < right for x in lines), (name, left, right, lines)


def _grid(a_values, b_values) -> pd.DataFrame:
    rows = pd.DataFrame([(a, b) for a in a_values for b in b_values for _ in range(2)], columns=["a", "b"])
    rows["ceasefire_days"] = 10 * rows["a"] + rows["b"]
    return rows


def test_a_heat_map_of_unevenly_spaced_values_says_its_cells_are_not_to_scale():
    """The sweep heat map drew restraint 0, 0.3, 0.6, 0.8, 0.9, 0.95 in equal cells: 0.8 to 0.95 looked as wide as 0
    to 0.6. The cells stay equal (0.95's would be a sliver with no room for its number), and an axis whose values
    are unevenly spaced says it is not to scale; evenly spaced values and equal bins need no such word."""
    fig = heat_map(_grid([0.0, 0.3, 0.6, 0.8, 0.9, 0.95], [0.5, 1.5, 2.5, 4.0]), "a", "b", "ceasefire_days", grid=True)
    ax = fig.axes[0]
    for label in (ax.get_xlabel(), ax.get_ylabel()):
        assert "not to scale" in label, label
    assert ax.get_xlabel().startswith("a\n") and ax.get_ylabel().startswith("b\n")
    even = heat_map(_grid(np.linspace(0, 0.95, 5), [1.0, 2.0, 3.0]), "a", "b", "ceasefire_days", grid=True).axes[0]
    assert (even.get_xlabel(), even.get_ylabel()) == ("a", "b")
    rng = np.random.default_rng(2)
    sampled = pd.DataFrame({"a": rng.uniform(0, 1, 200) ** 3, "b": rng.uniform(0, 1, 200)})
    sampled["ceasefire_days"] = sampled["a"]
    binned = heat_map(sampled, "a", "b", "ceasefire_days", grid=False).axes[0]
    assert (binned.get_xlabel(), binned.get_ylabel()) == ("a", "b")


def test_an_ensemble_animations_title_says_whose_probability_it_shades(toy_results, monkeypatch):  # noqa: F811
    """An ensemble's animated map was titled "campaign, 40 runs: 5 March 2020", which reads as a map of control; only
    the colour bar under it said the shades are the share of runs in which the government holds each town. Every
    frame's title says so, as the ensemble map's does; a single run's title names no probability."""
    import sim.viz.animation as animation

    titles = []

    def each_frame(anim, path, writer, progress=False):  # noqa: ANN001
        for k in range(2):
            anim._func(k)
            titles.append(anim._fig.axes[0].get_title())
        anim._draw_was_started = True  # drawn by hand: matplotlib would warn on deleting it
        return path

    monkeypatch.setattr(animation, "save_animation", each_frame)
    single, ens = toy_results
    for faction, words in (("regime", "the government holds"), ("hts", "HTS holds")):
        animation.animate(ens, out=ens / f"title_{faction}.gif", faction=faction, max_frames=2)
        assert len(titles) == 2
        for title in titles:
            assert title.startswith(f"Probability that {words} each area\n"), title
            assert "4 runs" in title and "2020" in title, title
        titles.clear()
    animation.animate(single, out=single / "title.gif", max_frames=2)
    assert titles and not any("Probability" in t for t in titles), titles


def test_a_control_map_names_both_ends_of_the_patrol_route_and_where_the_last_patrol_stopped(moscow):  # noqa: F811
    """The Moscow map drew the M4 patrol route from Tronba to Ain al-Havr, but named Tronba, among the posts around
    Saraqib, only where there was room: on most days the route began at an unnamed town, and the town the legend
    says the last patrol stopped at (Nayrab) was unnamed too. The route's ends are named on every map that draws the
    route; the last patrol's town is named in the legend, and on the map before any other town that may be left out
    (where there is room: forced, it was stacked over a main town's name,
    test_figures.py::test_where_the_last_patrol_stopped_is_named_only_where_there_is_room)."""
    result, run, events = moscow
    t = result.theatre
    for date in (run.date(10), run.date(15), run.date(len(run.history) - 1)):
        state, fig = map_of(result, run, events, date)
        (patrol,) = state.patrols
        labelled = {x.get_text() for x in fig.axes[0].texts if x.get_gid() == "label"}
        ends = {t.towns[patrol.route[0]], t.towns[patrol.route[-1]]}
        assert ends == {"Tronba", "Ain al-Havr"}
        assert ends <= labelled, (date, ends - labelled)
        if patrol.reached is not None:
            legend = [x.get_text() for x in fig.legends[0].get_texts()] if fig.legends else []
            assert any(f"stopped at {t.towns[patrol.reached]}" in line for line in legend), (date, legend)
    assert patrol.reached is not None  # the last date's map has a last patrol, which the legend names


def test_the_patrol_charts_key_draws_the_box_and_whisker_it_describes(quiet):  # noqa: F811
    """The patrol chart's key for the simulated boxes was a bare pink square at full strength, under the words
    "whiskers 5-95%", while the boxes are paler (drawn at 80%) with dark grey edges and dark grey whiskers, beside the
    record's whiskers in their own colours: the key's colours matched none of the marks it named. It draws the box in
    the boxes' colours, with a whisker in the whiskers' colour."""
    fig = plots.patrol_figure(quiet, [])
    fig.canvas.draw()
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if p.get_gid() == "boxes"]
    assert boxes
    face = boxes[0].get_facecolor()
    whiskers = {to_rgba(line.get_color()) for line in ax.lines  # upright two-point lines: the caps and medians lie flat
                if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
    assert whiskers
    (legend,) = fig.legends
    (said,) = [x.get_text() for x in legend.get_texts() if "middle half of runs" in x.get_text().lower()]
    assert "whisker" in said, said
    keyed = legend.findobj(lambda a: isinstance(a, Rectangle) and a.get_visible() and a is not legend.legendPatch)
    assert any(np.allclose(p.get_facecolor(), face) for p in keyed), ([p.get_facecolor() for p in keyed], face)
    marks = legend.findobj(lambda a: isinstance(a, Line2D) and a.get_visible())
    for colour in whiskers:
        assert any(same_color(m.get_color(), colour) for m in marks), colour
