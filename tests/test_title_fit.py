"""Titles and labels broken to the room they have, as drawn: a long one stays inside its figure, broken between
words (a dotted parameter's path after a dot), and one that fits stays on one line."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis.results import load_results
from sim.viz import plots
from sim.viz.style import fitted_suptitle, new_figure
from sim.viz.sweep_plots import heat_map

from .test_maps import toy_results  # noqa: F401 - the shared folders

WHATIF = "whatif_no_moscow_agreement_turkey_stands_down"  # a shipped what-if's name: 45 characters, one word
LONG = ("what-if: the January truce holds for thirty days while Turkish observation posts stay manned and Russian "
        "aircraft keep to the ceiling agreed at Sochi, with joint patrols along the M4 from Saraqib to Jisr al-Shughur")


def _titles(fig):  # noqa: ANN001, ANN202 - a Figure; its titles that say something
    return [t for t in (fig._suptitle, *(ax.title for ax in fig.axes)) if t is not None and t.get_text()]


def _assert_inside(fig, text, name: str) -> None:  # noqa: ANN001 - a Figure and one of its Texts
    box = text.get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (name, text.get_text(), box, fig.bbox.width)


def _renamed(results, name: str):  # noqa: ANN001, ANN202 - Results
    return dataclasses.replace(results, manifest={**results.manifest, "scenario_name": name})


def _unbroken(text: str) -> str:
    """A title's text as one line: a break after a name's '_' or '.' joined, any other read as a space."""
    return re.sub(r"([_.])\n", r"\1", text).replace("\n", " ")


def test_a_long_title_of_a_plot_stays_inside_the_figure_broken_only_between_words(toy_results):  # noqa: F811
    """towns_held.png kept its title on one line at its usual 10 inches whatever its length, and a title of 200
    characters ran off both edges; every plot's title is now broken to the figure it is drawn in, between words. A
    name wider than the figure on its own (the shipped what-if's 45 characters, and a colon, at 11 points in the 3.9
    inches drawn for a phone, ran 32 px past the right edge) breaks after a '_', and only where it must."""
    _, ens = toy_results
    for name in (WHATIF, LONG):
        res = _renamed(load_results(ens), name)
        figures = {"towns_held": plots.towns_held_figure(res), "capture_dates": plots.capture_dates_figure(res, []),
                   "losses": plots.losses_figure(res, []), "towns_held narrow": plots.towns_held_figure(res, 3.9)}
        for figure, fig in figures.items():
            fig.draw_without_rendering()
            titles = [t for t in _titles(fig) if name in _unbroken(t.get_text())]
            assert len(titles) == 1, (figure, [t.get_text() for t in _titles(fig)])  # the name, in one title
            (title,) = titles
            _assert_inside(fig, title, figure)
            first = title.get_text().split("\n")[0]
            assert WHATIF not in name or name in first or (figure.endswith("narrow") and first.endswith("_")), (figure, title.get_text())


def test_a_title_that_fits_stays_on_one_line(toy_results):  # noqa: F811
    """towns_held drawn for a phone (3.9 inches) broke its title every 39 characters, a guess at how many fit: 'toy:
    towns held by each faction (seed 5)', 40 of them, went on two lines with room to spare on the first."""
    single, _ = toy_results
    fig = plots.towns_held_figure(load_results(single), 3.9)
    (title,) = _titles(fig)
    assert title.get_text() == "toy: towns held by each faction (seed 5)"
    fig.draw_without_rendering()
    _assert_inside(fig, title, "towns_held narrow")


def test_a_suptitle_of_two_hundred_characters_fills_its_lines_and_splits_no_word():
    """Lines of a measured width hold as many words as fit: each line but the last would overflow with the next word."""
    fig = new_figure(figsize=(6, 3), dpi=100)
    title = fitted_suptitle(fig, LONG, fontsize=11)
    lines = title.get_text().split("\n")
    assert len(lines) > 1 and " ".join(lines) == LONG
    _assert_inside(fig, title, "suptitle")
    renderer = fig.canvas.get_renderer()
    for line, following in zip(lines, lines[1:], strict=False):
        title.set_text(f"{line} {following.split(' ')[0]}")
        assert title.get_window_extent(renderer).width > fig.bbox.width - 16, line


def test_the_live_series_title_fits_a_column_and_stays_on_one_line_when_it_can():
    """The app's live time series broke its title every 56 characters for a column of the page (420 px): a title of
    57 that fits the column went on two lines. The title picture cut from it must fit a phone's 480 px."""
    pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
    from sim.analysis.results import RunData
    from sim.app.figures import LiveSeries
    from sim.io.scenario import load_scenario
    from sim.io.theatre import load_theatre

    from .conftest import ROOT

    scenario = load_scenario(ROOT / "scenarios" / "jan_truce.yaml")
    theatre = load_theatre(scenario.theatre)
    days = 3
    ts = pd.DataFrame({"date": [str(np.datetime64(scenario.start) + np.timedelta64(d, "D")) for d in range(days)], "displaced": [0] * days,
                       "turkish_deaths": [0] * days, **{f"towns_{h}": [1] * days for h in ("regime", "hts", "rebels", "turkey")}})
    run = RunData(7, scenario.start, np.zeros((days, theatre.n), np.int8), pd.DataFrame(), ts)
    for title in (LONG, "what-if: restraint 0.95 and 2 more changes"):  # 200 characters, and 57 that fit a column
        fig = LiveSeries(theatre, scenario, title).draw(run)
        fig.draw_without_rendering()
        said = f"{title}, seed 7: day {days - 1}"
        assert " ".join(fig._suptitle.get_text().split("\n")) == said
        box = fig._suptitle.get_window_extent(fig.canvas.get_renderer())
        assert box.width <= fig.bbox.width / 2, (fig._suptitle.get_text(), box)
        if title != LONG:
            assert "\n" not in fig._suptitle.get_text()


def test_a_heat_maps_dotted_parameter_breaks_after_a_dot_and_stays_beside_its_cells():
    """`events.jan-truce.restraint` beside two cells is longer than they are tall: it breaks after a dot, never
    inside 'jan-truce', and every line stays within the figure."""
    grid = pd.DataFrame([(a, b) for a in (0.5, 0.99) for b in (0.0, 0.5) for _ in range(2)],
                        columns=["turkey.deterrence", "events.jan-truce.restraint"])
    grid["ceasefire_days"] = grid.iloc[:, 0] + grid.iloc[:, 1]
    fig = heat_map(grid, *grid.columns[:2], "ceasefire_days", grid=True)
    label = fig.axes[0].yaxis.label
    assert label.get_text().replace("\n", "") == "events.jan-truce.restraint"
    assert all(line.endswith(".") for line in label.get_text().split("\n")[:-1]), label.get_text()
    fig.draw_without_rendering()
    box = label.get_window_extent(fig.canvas.get_renderer())
    assert box.y0 >= 0 and box.y1 <= fig.bbox.height, (label.get_text(), box)


SAVED = "whatif_campaign_no-spring-shield_russia.air_power-4_regime.commit-0.9_and-2-more"  # 80: the longest the app saves


def test_a_maps_titles_stay_inside_the_figure_and_clear_of_each_other_and_the_legend(toy_results):  # noqa: F811
    """A map's titles were set on one line whatever their length: with the 80-character name the app may save a what-if
    under, the run map's title ran 33 px off the figure's left edge and over its legend, and the two panels' titles of
    ``map A B`` ran into each other. Each panel's title is broken to its map's width, and the figure's to the figure's."""
    from sim.viz.maps import compare_figure, map_figure

    single, ens = (_renamed(load_results(folder), SAVED) for folder in toy_results)
    figures = {"run map": map_figure(single), "ensemble map": map_figure(ens),
               "runs compared": compare_figure(single, single), "ensembles compared": compare_figure(ens, ens)}
    for figure, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        titles = _titles(fig)
        assert any(SAVED in _unbroken(t.get_text()) for t in titles), (figure, [t.get_text() for t in titles])
        boxes = [t.get_window_extent(renderer) for t in titles]
        for title in titles:
            _assert_inside(fig, title, figure)
        crossed = [(a.get_text(), b.get_text()) for i, a in enumerate(titles) for b in titles[i + 1:]
                   if boxes[titles.index(a)].overlaps(boxes[titles.index(b)])]
        assert crossed == [], (figure, crossed)
        legend = fig.legends[0].get_window_extent(renderer)
        assert [t.get_text() for t, box in zip(titles, boxes, strict=True) if box.overlaps(legend)] == [], figure
