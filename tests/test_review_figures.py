"""The figure fixes of the round-26 review: every joint patrol on the patrol chart (those that drove the whole route
too), the record's patrol ranges drawn so they cannot pass for simulated bars, scenario events named by where they
strike, capture dates whose simulated marks stay visible and whose repeated captures each get a row, and map layers
that can be told apart."""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from sim.names import PATROL_EVENTS
from sim.viz import plots
from sim.viz.animation import caption

from .test_figures import map_of, moscow  # noqa: F401 - the shared run
from .test_maps import toy_results  # noqa: F401 - the shared folders
from .test_plots_review import quiet  # noqa: F401
from .test_scoring import theatre  # noqa: F401 - the line theatre of hand-built histories



def test_the_patrol_chart_has_the_patrols_that_covered_the_whole_route(quiet):  # noqa: F811
    completed = sum(int((r.events["type"] == "patrol_completed").sum()) for r in quiet.runs)
    logged = sum(int(r.events["type"].isin(PATROL_EVENTS).sum()) for r in quiet.runs)
    assert completed > 0  # the toy's patrols drive the whole route now and then
    table = plots.patrol_table(quiet)
    assert len(table) == logged and int((table["coverage"] >= 1).sum()) == completed, table
    # One run: a bar for every patrol, the full-route ones at 100%.
    one = dataclasses.replace(quiet, runs=quiet.runs[:1])
    log = one.runs[0].events
    fig = plots.patrol_figure(one, [])
    bars = [p for p in fig.axes[0].patches if p.get_gid() == "coverage"]
    assert len(bars) == int(log["type"].isin(PATROL_EVENTS).sum())
    assert sum(b.get_height() >= 1 for b in bars) == int((log["type"] == "patrol_completed").sum()) > 0
    # An animation frame captions a full-route patrol as it does one that was stopped.
    row = log.loc[log["type"] == "patrol_completed", ["type", "town", "detail", "actors"]].iloc[0]
    assert caption(*row) == f"Joint patrol {row['detail']}", caption(*row)


def patrol_claim(day: int, low: float, high: float, k: int):
    from .test_plots_review import quantity

    return quantity("patrol_coverage", day, low, high, f"claim {k}")


def test_the_records_patrol_ranges_are_whiskers_beside_the_simulated_bars_not_bars_among_them(quiet):  # noqa: F811
    """A reported range was a thick coloured bar at its date, on top of the simulated bar of that day (the first
    patrol's 1-99% over the first simulated bar): it read as one more simulated value. Now each is a thin whisker
    with caps, beside the simulated marks of its date, and the legend says so."""
    import matplotlib.dates as mdates

    # Patrols every 7 days from 3 Jan: 10 Jan is a patrol's day, 13 Jan lies between two.
    reported = [patrol_claim(10, 0.01, 0.99, 0), patrol_claim(13, 0.0, 0.3, 1)]
    for results in (dataclasses.replace(quiet, runs=quiet.runs[:1]), quiet):  # bars for one run, boxes for many
        fig = plots.patrol_figure(results, reported)
        fig.canvas.draw()
        ax = fig.axes[0]
        if len(results.runs) == 1:
            spans = [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches if p.get_gid() == "coverage"]
        else:
            spans = [(min(xs), max(xs)) for xs in (p.get_path().vertices[:, 0] for p in ax.patches if p.get_gid() == "boxes")]
        assert spans
        whiskers = [c for c in ax.containers if c.get_label().startswith("Record")]
        assert len(whiskers) == 2
        for c in whiskers:
            (segments,) = [s for lc in c.lines[2] for s in lc.get_segments()]
            x = segments[0][0]
            assert not any(a - 0.3 <= x <= b + 0.3 for a, b in spans), (mdates.num2date(x), spans)  # clear of every bar
            assert max(lc.get_linewidth()[0] for lc in c.lines[2]) <= 2.5  # a line, not a bar
            assert c.lines[1], "a whisker has caps"
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert {"Record: the 10 Jan patrol covered part of the route (whisker beside the bars: 1%–99% counts as met)",
                "Record: the 13 Jan patrol covered at most 30% of the route (whisker beside the bars: 0%–30% counts as met)"} <= set(labels)
        # 13 Jan, clear of any bar, is drawn at its date; 10 Jan beside the bar of that day.
        xs = sorted(c.lines[2][0].get_segments()[0][0][0] for c in whiskers)
        assert mdates.num2date(xs[1]).date().isoformat() == "2020-01-13"
        assert 0 < xs[0] - mdates.datestr2num("2020-01-10") <= 4


def test_the_towns_held_key_says_where_each_offensive_goes(quiet):  # noqa: F811
    """8 of the campaign's 14 numbered events read only 'Government offensive starts'; each now names its force group
    and the first town of its axis (where the group drives first), as the event log's detail does."""
    from .conftest import ev

    events = [ev(date="2020-01-05", type="offensive", group="south-east", action="start", axis=["Umm Jalal", "Jarjanaz"]),
              ev(date="2020-01-06", type="offensive", faction="hts", action="start", axis=["Abu Jarif", "Tal Khatrah"]),
              ev(date="2020-02-01", type="offensive", group="west-aleppo", action="start", axis=["Darat Izza"]),
              ev(date="2020-02-20", type="offensive", group="west-aleppo", action="stop"),
              ev(date="2020-03-10", type="offensive", action="start", axis=["Kafr Nabl"]),  # the default group, unnamed
              ev(date="2020-03-25", type="offensive", group="south-east", action="start", axis=["Maarat al-Numan"])]
    manifest = {**quiet.manifest, "parameters": {**quiet.manifest["parameters"], "events": events}}
    fig = plots.towns_held_figure(dataclasses.replace(quiet, manifest=manifest))
    wrapped = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    # A long label wraps between words, never inside a town's or a group's name ("Maarat al-" / "Numan").
    assert any("\n" in x for x in wrapped) and "Maarat al-Numan" in wrapped[-1], wrapped
    assert not any(line.endswith("-") or line.endswith("Maarat") for x in wrapped for line in x.split("\n")), wrapped
    key = [x.replace("\n", " ") for x in wrapped]
    assert key == ["5 Jan: Government offensive: south-east group toward Umm Jalal; 6 Jan: HTS offensive toward Abu Jarif",
                   "1 Feb: Government offensive: west-aleppo group toward Darat Izza",
                   "20 Feb: Government offensive stops: west-aleppo group",
                   "10 Mar: Government offensive toward Kafr Nabl",
                   "25 Mar: Government offensive: south-east group toward Maarat al-Numan"], key


def test_every_date_axis_says_what_it_spans_and_names_no_month_twice(quiet):  # noqa: F811
    """The date axes had no label and printed the month twice, 'Mar' under the last tick and '2020-Mar' (matplotlib's
    offset) beside it; each now says which dates it runs over, and the year is in that label."""
    from .test_plots_review import capture, quantity

    one = dataclasses.replace(quiet, runs=quiet.runs[:1])
    figures = {"towns_held": plots.towns_held_figure(quiet), "capture_dates": plots.capture_dates_figure(quiet, [capture("T11", "regime", 9)]),
               "losses": plots.losses_figure(quiet, []), "patrols": plots.patrol_figure(one, [quantity("patrol_coverage", 10, 0, 1)])}
    for name, fig in figures.items():
        fig.canvas.draw()
        dated = [ax for ax in fig.axes if ax.xaxis.get_major_formatter().__class__.__name__ == "ConciseDateFormatter"
                 and ax.xaxis.get_visible() and any(t.get_text() for t in ax.get_xticklabels())]
        assert dated, name
        for ax in dated:
            assert ax.xaxis.get_offset_text().get_text() == "", (name, ax.xaxis.get_offset_text().get_text())
            assert ax.get_xlabel() == "date (1 Jan 2020 – 31 Mar 2020)", (name, ax.get_xlabel())


def test_the_losses_figure_is_titled_by_what_it_shows(quiet):  # noqa: F811
    """It was titled 'losses', an odd word for displaced civilians: the title names both panels."""
    fig = plots.losses_figure(quiet, [])
    title = fig.get_suptitle()
    assert "losses" not in title.lower(), title
    assert title == "toy: civilians displaced and Turkish soldiers killed (3 runs)", title


def test_each_losses_panel_says_on_its_y_axis_what_it_counts_and_in_what(quiet):  # noqa: F811
    """The panels had no y-axis label: only their titles said what was counted. Each axis now names its unit."""
    fig = plots.losses_figure(quiet, [])
    assert [ax.get_ylabel() for ax in fig.axes] == ["people displaced", "soldiers killed"]


def test_a_simulated_capture_on_its_reported_day_shows_over_the_reported_diamond(toy_results):  # noqa: F811
    """The white reported diamond was drawn over the simulated dot, so a capture on the reported day showed no dot
    at all (Abu Habbah, Umm Jalal, Al-Eis read 1/1 with nothing to see): the simulated marks now sit on top."""
    import numpy as np
    from matplotlib.colors import to_rgb

    from sim.analysis.results import load_results
    from sim.viz.style import FACTION_COLOURS

    from .test_plots_review import capture

    single, _ = toy_results
    res = load_results(single)
    caps = res.runs[0].captures
    first = caps.iloc[0]
    town, date = first["town"], first["date"]
    to = str(first["actors"]).partition(";")[0]
    assert date.startswith("2020-01-")
    claim = capture(town, to, int(date[-2:]))  # reported on the very day the run has it
    fig = plots.capture_dates_figure(res, [claim])
    fig.canvas.draw()
    ax = fig.axes[0]
    (dots,) = [c for c in ax.collections if c.get_gid() == "simulated" and len(c.get_offsets()) and
               ax.get_yticklabels()[int(round(c.get_offsets()[0][1]))].get_text().startswith(f"{town} →")]
    x, y = ax.transData.transform(dots.get_offsets()[0])
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255
    seen = pixels[int(round(fig.bbox.height - y)), int(round(x))]
    colour, white = np.array(to_rgb(FACTION_COLOURS[to])), np.ones(3)
    assert np.linalg.norm(seen - colour) < np.linalg.norm(seen - white) / 2, (seen, colour)  # the dot's colour, not the diamond's white


def test_a_town_taken_twice_gets_a_row_for_each_reported_capture_drawn_as_the_scorecard_reads_it(theatre):  # noqa: F811
    """Each of the record's captures of a town by one side has its own row ('1st time', '2nd time'), and a run's dot on
    it is the change of hands the scorecard reads for that capture: the figure held a row's runs from its 'after' date
    to the next row's, by a rule of its own, and could disagree with the scorecard.

    The record (toy): T1 passes to the regime on 3 Jan (± 3 days), to HTS on 5 Jan (from 4 Jan), to the regime again on
    6 Jan (± 2 days, from 5 Jan); T2 to the regime on 6 Jan (± 2 days, from 4 Jan). Run 0 does just that with T1. Run 1
    takes T1 once, on 6 Jan: the scorecard reads it for the first capture (met, 3 days late), and the second, looked
    for after it, never comes; the figure drew it on the second row alone, from that row's 'after'. Run 1 also takes
    T2 on 2 Jan, loses it on 3 Jan and takes it again on 6 Jan: the scorecard reads 6 Jan (from 4 Jan on); the
    figure drew 2 Jan, a town's only recorded capture holding every run's first capture of it."""
    import datetime as dt

    import matplotlib.dates as mdates

    from sim.analysis.scoring import score

    from .test_plots_review import capture
    from .test_scoring import B, H, R, results, run

    def history(t1: dict[int, int], t2: dict[int, int]) -> list[list[int]]:
        """Seven days of [T0, T1, T2] from [R, H, B], each town passing to a holder on the days given."""
        rows, now = [], [R, H, B]
        for d in range(7):
            now = [now[0], t1.get(d, now[1]), t2.get(d, now[2])]
            rows.append(list(now))
        return rows

    def on(day: int, **kw) -> object:  # noqa: ANN003
        return capture(kw.pop("town"), kw.pop("by"), day).model_copy(update={"id": kw.pop("id"), **kw})

    recorded = [on(3, town="T1", by="regime", id="first", tolerance_days=3),
                on(5, town="T1", by="hts", id="lost", after=dt.date(2020, 1, 4)),
                on(6, town="T1", by="regime", id="again", after=dt.date(2020, 1, 5)),
                on(6, town="T2", by="regime", id="t2", after=dt.date(2020, 1, 4))]
    res = results(theatre, [run(0, history({2: R, 4: H, 5: R}, {})), run(1, history({5: R}, {1: R, 2: B, 5: R}))])
    fig = plots.capture_dates_figure(res, recorded)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    dots = {}
    for c in ax.collections:
        if c.get_gid() == "simulated" and len(c.get_offsets()):
            xy = np.asarray(c.get_offsets())
            dots[labels[int(round(xy[0, 1]))]] = sorted(mdates.num2date(x).date() for x in xy[:, 0])
    rows = {"first": "T1 → Government (1st time)", "lost": "T1 → HTS", "again": "T1 → Government (2nd time)",
            "t2": "T2 → Government"}
    assert {rows[k]: dots.get(rows[k], []) for k in rows} == {
        rows["first"]: [dt.date(2020, 1, 3), dt.date(2020, 1, 6)], rows["lost"]: [dt.date(2020, 1, 5)],
        rows["again"]: [dt.date(2020, 1, 6)], rows["t2"]: [dt.date(2020, 1, 6)]}, dots
    # The same dates the scorecard reads, run by run.
    card = score(res, recorded)
    assert {rows[s.outcome.id]: sorted(c.value for c in s.checks if c.value is not None) for s in card.scores} == \
        {k: dots.get(k, []) for k in rows.values()}
    shares = {labels[int(round(t.xy[1]))]: t.get_text() for t in ax.texts if "/" in t.get_text()}
    assert [shares[rows[k]] for k in rows] == ["2/2", "1/2", "1/2", "1/2"], shares
    # One reported diamond a row, at that row's own date.
    diamonds = {labels[int(round(d.get_ydata()[0]))]: mdates.num2date(mdates.date2num(d.get_xdata()[0])).day
                for d in ax.get_lines() if d.get_gid() == "reported"}
    assert diamonds == {rows["first"]: 3, rows["lost"]: 5, rows["again"]: 6, rows["t2"]: 6}, diamonds


def test_the_capture_note_says_plainly_how_the_rows_were_chosen(toy_results, monkeypatch):  # noqa: F811
    """'the largest town in each of 30 stretches of their dates' was jargon: the note says it in plain words."""
    from sim.analysis.results import load_results

    from .test_plots_review import capture, texts

    _, ens = toy_results
    res = load_results(ens)
    monkeypatch.setattr(plots, "MAX_CAPTURE_ROWS", 3)
    days = (2, 3, 4, 5, 7, 9, 11)  # seven recorded captures for three rows: groups of 3, 2 and 2
    recorded = [capture(f"T{k // 3}{k % 3}", "regime", d) for k, d in enumerate(days)]
    note = "\n".join(t for t in texts(plots.capture_dates_figure(res, recorded)) if "shown" in t)
    assert note.startswith("3 of 7 recorded captures shown, spread over the whole period:\n"
                           "taken in date order in groups of 2 or 3, the largest town of each group."), note
    assert "stretch" not in note


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0-1 channels)."""
    c = np.asarray(rgb, float)[:3]
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_on_a_probability_map_each_town_dot_stands_out_from_the_fill_under_it(quiet):  # noqa: F811
    """On the HTS map the HTS towns' dots (#3A3A3A) sat on cells filled #3A3A3A (P = 1) with a thin white edge: they
    read as hollow rings, or not at all. The fill now stops short of the faction's colour, so a dot is darker than
    its cell, and the dots are outlined in white, wide enough to see."""
    import datetime as dt

    from sim.names import HOLDERS
    from sim.viz.maps import map_figure

    for faction in ("hts", "regime", "rebels"):
        fig = map_figure(quiet, dt.date(2020, 2, 1), faction=faction)
        fig.canvas.draw()
        ax = fig.axes[0]
        (cells,) = [c for c in ax.collections if c.get_gid() == "probability"]
        (dots,) = [c for c in ax.collections if c.get_gid() == "towns"]
        fill = {int(t): cells.get_facecolors()[k] for k, t in enumerate(cells.town_index)}
        faces, edges, widths = dots.get_facecolors(), dots.get_edgecolors(), dots.get_linewidths()
        mine = [i for i, c in enumerate(quiet.runs[0].history[0]) if HOLDERS[c] == faction]
        assert mine and all(np.isclose(cells.get_array()[list(cells.town_index).index(i)], 1.0) for i in mine)
        for i in mine:  # held in every run: the darkest fill, under a dot of the same faction
            assert contrast(faces[i], fill[i]) >= 1.25, (faction, faces[i], fill[i])
            edge = edges[i if len(edges) > 1 else 0]
            assert contrast(edge, fill[i]) >= 2.5 and widths[i if len(widths) > 1 else 0] >= 1.0, (faction, edge, fill[i])


def test_a_rarely_simulated_front_does_not_look_like_a_secondary_road(quiet):  # noqa: F811
    """'Front in 10% of runs' (black at 24% opacity, 0.9 pt) looked like 'Secondary road' (grey, 0.7 pt) in the legend
    and on the map: the front's spread is now drawn in a colour of its own, not a grey."""
    import datetime as dt

    from matplotlib.colors import to_rgba

    from sim.viz.maps import map_figure

    def over_white(colour) -> np.ndarray:
        r, g, b, a = to_rgba(colour)
        return np.array([r, g, b]) * a + (1 - a)

    fig = map_figure(quiet, dt.date(2020, 2, 1), faction="regime")
    handles = {t.get_text(): h for t, h in zip(fig.legends[0].get_texts(), fig.legends[0].legend_handles, strict=True)}
    road = over_white(handles["Secondary road"].get_color())
    fronts = [h for label, h in handles.items() if label.startswith("Front in ")]
    assert len(fronts) == 3
    for h in fronts:
        colour = over_white(h.get_color())
        assert np.ptp(colour) >= 0.08, (h.get_label(), colour)  # a hue, where roads are grey
        assert np.linalg.norm(colour - road) >= 0.2, (h.get_label(), colour, road)
    (spread,) = [c for c in fig.axes[1].collections if c.get_gid() == "front_spread"]
    assert all(np.ptp(over_white(c)) >= 0.08 for c in spread.get_colors())


def test_the_corridor_legend_names_no_town_the_map_does_not_label(moscow):  # noqa: F811
    """The Moscow map's legend read 'M4 security corridor from Tronba to Ain al-Havr', but Tronba, among the posts
    around Saraqib, gets no label: a reader could not find it. The corridor is drawn along the patrol route, which
    the map shows; the legend names only what the map labels."""
    result, run, events = moscow
    for date in (run.date(15), run.date(len(run.history) - 1)):
        state, fig = map_of(result, run, events, date)
        assert state.corridor is not None
        labelled = {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"}
        (corridor,) = [t.get_text() for t in fig.legends[0].get_texts() if "security corridor" in t.get_text()]
        named = {town for town in result.theatre.towns if re.search(rf"\b{re.escape(town)}\b", corridor)}
        assert named <= labelled, (corridor, named - labelled)
        assert corridor == "M4 security corridor along the joint-patrol route (6 km each side)", corridor


def test_the_capture_figures_median_is_the_one_every_table_gives(toy_results):  # noqa: F811
    """The figure's median mark was taken over the runs that saw a capture, interpolated, while capture_dates.csv
    and compare take the median run's date over all of them, a run that never sees it counting as latest: a capture
    seen in 4 of 9 runs had a median mark in the figure, and a median of "never" everywhere else."""
    import numpy as np

    from sim.analysis.aggregate import capture_dates
    from sim.analysis.results import Results, frozen_front, load_results
    from sim.names import DISPLAY_NAMES

    _, ens = toy_results
    res = load_results(ens)
    still = [frozen_front(res.runs[0])] * 5  # five more runs in which nothing changes hands
    res = Results(res.path, res.manifest, res.theatre, res.runs + still, len(res.runs) + 5)
    table = capture_dates(res.runs)
    fig = plots.capture_dates_figure(res, [])
    ax = fig.axes[0]
    marks = {int(round(line.get_ydata()[0])): np.datetime64(line.get_xdata()[0], "D")
             for line in ax.lines if line.get_marker() == "|"}
    by_name = {v: k for k, v in DISPLAY_NAMES.items()}
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for y, label in enumerate(labels):
        town, _, to = label.partition(" → ")
        (q50,) = table[(table["town"] == town) & (table["to"] == by_name[to.split(" (")[0]])]["q50"]
        assert marks.get(y) == (None if q50 is None or q50 != q50 else np.datetime64(q50, "D")), (label, q50, marks.get(y))
    assert labels and not marks, "seen in at most 4 of 9 runs, no capture has a median date"
