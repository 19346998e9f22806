"""Plots: the series drawn are the runs' series, and the record's figures sit beside them."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from sim.analysis.aggregate import timeseries_quantiles
from sim.analysis.results import load_results
from sim.cli import main
from sim.viz import plots

from .conftest import ROOT
from .test_maps import toy_results  # noqa: F401 - the shared folders


def gids(ax, prefix):
    return [a for a in (*ax.lines, *ax.collections) if (a.get_gid() or "").startswith(prefix)]


def outcomes_beside(results, text):
    path = results.claims_file.parent / "outcomes.yaml"
    path.write_text("claims: claims.yaml\noutcomes:\n" + text)
    return path


def test_towns_held_lines_bands_and_event_markers(toy_results):  # noqa: F811
    single, ens = toy_results
    one = plots.towns_held_figure(load_results(single))
    ax = one.axes[1]
    assert len(gids(ax, "line:")) == 3 and gids(ax, "band:") == []
    ts = pd.read_csv(single / "timeseries.csv")
    (regime,) = gids(ax, "line:regime")
    assert np.array_equal(regime.get_ydata(), ts["towns_regime"].to_numpy())
    # The offensive (1 Jan) and the agreement (in force from 6 Jan) are marked.
    assert len([line for line in ax.lines if line.get_gid() == "event"]) == 2

    res = load_results(ens)
    many = plots.towns_held_figure(res).axes[1]
    assert len(gids(many, "line:")) == 3 and len(gids(many, "band:")) == 3
    q = timeseries_quantiles(res.runs)
    (rebels,) = gids(many, "line:rebels")
    assert np.array_equal(rebels.get_ydata(), q.loc[q["variable"] == "towns_rebels", "q50"].to_numpy())


def test_capture_dates_and_losses_set_the_record_beside_the_runs(toy_results):  # noqa: F811
    _, ens = toy_results
    res = load_results(ens)
    path = outcomes_beside(res, """\
  - {id: t11-falls, set: calibration, kind: capture, description: T11 falls, town: T11, by: regime, reported: 2020-01-04, tolerance_days: 2, source: [test-claim]}
  - {id: t22-falls, set: calibration, kind: capture, description: T22 falls, town: T22, by: regime, reported: 2020-01-09, tolerance_days: 2, source: [test-claim]}
  - {id: dead, set: calibration, kind: quantity, description: deaths, variable: turkish_deaths, date: 2020-01-10, reported: 3, range: [1, 5], source: [test-claim]}
""")
    try:
        reported = plots.load_reported(res)
        fig = plots.capture_dates_figure(res, reported)
        ax = fig.axes[0]
        rows = [t.get_text() for t in ax.get_yticklabels()]
        caps = pd.read_csv(ens / "capture_dates.csv")
        common = caps[caps["share"] >= 0.1]
        expected = {f"{t} → {plots.FACTION_NAMES[to]}" for t, to in zip(common["town"], common["to"], strict=True)}
        # Every frequent capture has a row, and so has each town the record speaks of, even if it never falls.
        assert set(rows) == expected | {"T11 → Government", "T22 → Government"}
        assert len([c for c in ax.containers]) == 2  # the two reported dates, with their tolerance
        dots = sum(len(c.get_offsets()) for c in gids(ax, "simulated"))
        assert dots == len(pd.read_csv(ens / "captures.csv").merge(common[["town", "to"]]))
        losses = plots.losses_figure(res, reported)
        deaths = losses.axes[1]
        assert len(deaths.containers) == 1 and len(losses.axes[0].containers) == 0
        assert deaths.containers[0].lines[0].get_ydata()[0] == 3
    finally:
        path.unlink()


def test_plot_cli_writes_the_pngs(toy_results, tmp_path, capsys):  # noqa: F811
    _, ens = toy_results
    assert main(["plot", str(ens), "--out", str(tmp_path)]) == 0
    # No patrols in this scenario: no patrol figure.
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["capture_dates.png", "losses.png", "towns_held.png"]
    assert plots.patrol_figure(load_results(ens), []) is None
    assert "towns_held.png" in capsys.readouterr().out


@pytest.fixture(scope="module")
def moscow():
    """The Moscow scenario, one run in memory, and its results as a folder would give them."""
    from sim import load_scenario, simulate
    from sim.analysis.results import Results, RunData

    r = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml"), seed=20200305)
    manifest = {"scenario_name": "moscow", "start": r.scenario.start.isoformat(), "end": r.scenario.end.isoformat()}
    return r, Results(None, manifest, r.theatre, [RunData.of(r)], 1)


def test_every_mark_of_the_patrol_boxes_is_a_runs_value():
    """The boxes' whiskers were matplotlib's, interpolated between runs: the 17 May patrol's 95% end at 67% where two
    runs had 66% and 77% and compare, taking a run's value as every quantile shown does, said 77%."""
    from sim import load_scenario
    from sim.analysis.results import Results, RunData
    from sim.experiments.run import simulate_batch

    runs = simulate_batch(load_scenario(ROOT / "scenarios" / "moscow.yaml"), list(range(7)))
    manifest = {"scenario_name": "moscow", "start": runs[0].scenario.start.isoformat(), "end": runs[0].scenario.end.isoformat()}
    results = Results(None, manifest, runs[0].theatre, [RunData.of(r) for r in runs], len(runs))
    table = plots.patrol_table(results)
    each_date = table.groupby("date")["coverage"].apply(lambda g: set(g.round(12)))
    fig = plots.patrol_figure(results, [])
    marks = [line for line in fig.axes[0].lines if len(line.get_xdata())]  # whiskers, caps and medians
    assert len(marks) >= 4 * len(each_date)
    days = {round(float(x)): values for x, values in zip(mdates.date2num(pd.to_datetime(each_date.index)), each_date, strict=True)}
    for line in marks:
        values = days[round(float(np.mean(line.get_xdata())))]
        assert {round(float(y), 12) for y in line.get_ydata()} <= values, (line.get_ydata(), values)


def test_the_patrol_figure_has_every_patrol_the_completed_ones_too(moscow):
    """A patrol that drove its whole route is logged as ``patrol_completed``: the figure's table left it out,
    so its bars were only the patrols that were stopped."""
    r, results = moscow
    table = plots.patrol_table(results)
    assert 1.0 in table["coverage"].tolist()
    assert table["date"].tolist() == [p["date"] for p in r.patrols]
    assert np.allclose(table["coverage"], [p["coverage"] for p in r.patrols], atol=1e-4)
    assert table["reached"].tolist() == [p["reached"] for p in r.patrols]


def test_the_patrol_legend_says_what_the_record_says_and_the_whisker_what_counts_as_met(moscow):
    """The legend read "Record: the patrol of 15 Mar covered 1%–99%": the outcome's tolerance, not the record, which
    says the first patrol was cut short, not by how much. Each entry now gives what the record says (part of the
    route, or its figure) and the whisker's range as what counts as met."""
    _, results = moscow
    reported = plots.load_reported(results, ROOT / "seeds" / "outcomes.yaml")
    fig = plots.patrol_figure(results, reported)
    labels = [t.get_text() for t in fig.legends[0].get_texts() if t.get_text().startswith("Record")]
    assert labels == [
        "Record: the 15 Mar patrol covered part of the route (whisker beside the bars: 1%–99% counts as met)",
        "Record: the 20 May patrol covered 20% of the route (whisker beside the bars: 0%–30% counts as met)",
        "Record: the 10 Jun patrol covered 56% of the route (whisker beside the bars: 35%–80% counts as met)",
    ], labels


def test_the_losses_figure_draws_the_people_gone_home_beside_the_records_counts(moscow, toy_results):  # noqa: F811
    """The Moscow run's losses.png was an empty panel ("No civilians displaced in this run") and the Turkish dead:
    the 233,081 people its run sends home, and the record's six counts of them, were drawn nowhere (round 77's
    new-user walk). A run in which anyone goes home now has a third panel, the record's counts beside it; a run in
    which nobody does keeps its two."""
    r, results = moscow
    reported = plots.load_reported(results, ROOT / "seeds" / "outcomes.yaml")
    fig = plots.losses_figure(results, reported)
    assert len(fig.axes) == 3
    home = fig.axes[2]
    assert home.get_title().startswith("Civilians gone back home since 5 Mar 2020"), home.get_title()
    (line,) = gids(home, "line")
    assert np.array_equal(line.get_ydata(), r.timeseries["returned"].to_numpy())
    counts = sorted(c.lines[0].get_ydata()[0] for c in home.containers)
    assert counts == [126_000, 135_000, 200_000, 225_000, 250_000, 255_000], counts
    assert "gone back home" in fig.get_suptitle().replace("\n", " "), fig.get_suptitle()
    _, ens = toy_results
    assert len(plots.losses_figure(load_results(ens), []).axes) == 2  # nobody goes home there


def test_towns_held_drawn_for_a_phone_keeps_its_text_whole_on_the_figure_at_8_points():
    """The app's page on a phone shows towns held drawn 3.9 inches wide (the 10-inch figure scaled to it had text 4 px
    high): at that width, the legend in one row and the event key's 64-character lines ran off its right edge."""
    from matplotlib.text import Text

    from sim import load_scenario, simulate
    from sim.analysis.results import RunData
    from sim.experiments.calibration_runs import in_memory

    campaign = load_scenario(ROOT / "scenarios" / "campaign.yaml")  # its offensives' long names in the event key
    fig = plots.towns_held_figure(in_memory(campaign, [RunData.of(simulate(campaign))]), width=3.9)
    fig.canvas.draw()
    unseen = {t for ax in fig.axes if not ax.axison for t in (*ax.get_xticklabels(), *ax.get_yticklabels())}  # the key's
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text() and t not in unseen]
    assert min(t.get_fontsize() for t in texts) >= 8
    width = fig.bbox.width
    off = [t.get_text()[:40] for t in texts if not 0 <= t.get_window_extent().x0 <= t.get_window_extent().x1 <= width + 0.5]
    assert off == [], off


def test_towns_held_drawn_for_a_phone_leaves_no_blank_band_under_its_event_key():
    """The event key is as tall as its entries (fit_key), on the narrow figure too: the layout also reserved room for
    the key's entries where they overflowed the first guess at its height, which left some 80 px of blank between the
    key and the factions' legend below it at 3.9 inches."""
    from sim import load_scenario, simulate
    from sim.analysis.results import RunData
    from sim.experiments.calibration_runs import in_memory

    campaign = load_scenario(ROOT / "scenarios" / "campaign.yaml")  # ten groups of events: a key taller than guessed
    fig = plots.towns_held_figure(in_memory(campaign, [RunData.of(simulate(campaign))]), width=3.9)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    key_bottom = fig.axes[2].get_legend().get_window_extent(renderer).y0
    legend_top = fig.legends[0].get_window_extent(renderer).y1
    assert 0 <= key_bottom - legend_top <= 40, (key_bottom, legend_top)
