"""The figure fixes of the round-26 review: every joint patrol on the patrol chart (those that drove the whole route
too), the record's patrol ranges drawn so they cannot pass for simulated bars, scenario events named by where they
strike, capture dates whose simulated marks stay visible and whose repeated captures each get a row, and map layers
that can be told apart."""

from __future__ import annotations

import dataclasses

from sim.viz import plots
from sim.viz.animation import caption

from .test_plots_review import quiet  # noqa: F401 - the shared folder

PATROL_KINDS = ("patrol", "patrol_completed")  # the journal's two kinds: stopped on the way, or drove the whole route


def test_the_patrol_chart_has_the_patrols_that_covered_the_whole_route(quiet):  # noqa: F811
    completed = sum(int((r.events["type"] == "patrol_completed").sum()) for r in quiet.runs)
    logged = sum(int(r.events["type"].isin(PATROL_KINDS).sum()) for r in quiet.runs)
    assert completed > 0  # the toy's patrols drive the whole route now and then
    table = plots.patrol_table(quiet)
    assert len(table) == logged and int((table["coverage"] >= 1).sum()) == completed, table
    # One run: a bar for every patrol, the full-route ones at 100%.
    one = dataclasses.replace(quiet, runs=quiet.runs[:1])
    log = one.runs[0].events
    fig = plots.patrol_figure(one, [])
    bars = [p for p in fig.axes[0].patches if p.get_gid() == "coverage"]
    assert len(bars) == int(log["type"].isin(PATROL_KINDS).sum())
    assert sum(b.get_height() >= 1 for b in bars) == int((log["type"] == "patrol_completed").sum()) > 0
    # An animation frame captions a full-route patrol as it does one that was stopped.
    row = log.loc[log["type"] == "patrol_completed", ["type", "town", "detail", "actors"]].iloc[0]
    assert caption(*row) == f"Joint patrol {row['detail']}", caption(*row)
