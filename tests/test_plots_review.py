"""The plot fixes of the new-user review: capture rows that span the run and say what they leave out, one legend
entry per kind of mark, a quiet run's panels that say why they are empty, animation captions in the figures' words,
and event labels dated as the run summary dates them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from sim import load_scenario
from sim.analysis.outcomes import CaptureOutcome, QuantityOutcome
from sim.analysis.results import load_results
from sim.experiments.ensemble import run_ensemble
from sim.viz import event_key, plots
from sim.viz.animation import caption

from .conftest import Builder, ev
from .test_maps import grid_theatre, toy_results  # noqa: F401 - the shared folders


@pytest.fixture(scope="module")
def quiet(tmp_path_factory):
    """A small ensemble in which nothing changes hands: a deal from the second day, joint patrols, no offensive.

    Three months, as the Moscow scenario's six: long enough that events a day apart share a marker on towns_held.
    """
    build = Builder(tmp_path_factory.mktemp("quiet"))
    grid_theatre(build, ["regime"] * 4 + ["rebels"] * 2 + ["hts"] * 3)  # the patrols' start, T10, the government's
    body = {"end": "2020-03-31", "seed": 3,
            "events": [ev(date="2020-01-01", type="air_policy", ceiling=0.5),
                       ev(date="2020-01-01", type="agreement", name="Deal", effective="2020-01-02", parties=["russia", "turkey"],
                          compliance={"regime": 0.99, "rebels": 0.99, "hts": 0.99}, corridor={"road": "M9", "width_km": 3}),
                       ev(date="2020-01-03", type="joint_patrol", route=["T10", "T12"], road="M9", every_days=7,
                          participants=["russia", "turkey"])]}
    out = build.root / "ens"
    run_ensemble(load_scenario(build.scenario(body)), 3, out, workers=1)
    return load_results(out)


def capture(town: str, by: str, day: int) -> CaptureOutcome:
    return CaptureOutcome(id=f"c-{town.lower()}-{by}", set="calibration", kind="capture", description=f"{town} falls",
                          town=town, by=by, reported=dt.date(2020, 1, day), tolerance_days=2, source=["test-claim"])


def quantity(variable: str, day: int, low: float, high: float, text: str = "") -> QuantityOutcome:
    return QuantityOutcome(id=f"q-{variable.replace('_', '-')}-{day}", set="validation", kind="quantity",
                           description=text or f"{variable} on day {day}", variable=variable,
                           date=dt.date(2020, 1, 1) + dt.timedelta(days=day - 1),
                           range=(low, high), source=["test-claim"])


def texts(fig) -> list[str]:
    """Every piece of text on the figure: its titles, the axes' titles (at each place) and free texts."""
    titles = [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    return [t.get_text() for t in fig.texts] + titles + [t.get_text() for ax in fig.axes for t in ax.texts]


def test_capture_rows_span_the_recorded_dates_and_the_figure_says_how_many_are_left_out(toy_results, monkeypatch):  # noqa: F811
    _, ens = toy_results
    res = load_results(ens)
    # One town in each stretch of dates is the largest: the row a reader most wants from that stretch.
    population = np.full(res.theatre.n, 1000.0)
    for town in ("T01", "T10", "T20", "T22"):
        population[res.theatre.town(town)] = 50_000
    res = dataclasses.replace(res, theatre=dataclasses.replace(res.theatre, population=population))
    # Eight recorded captures, four of them in the first days: the old rows were the earliest four.
    recorded = [capture("T00", "rebels", 2), capture("T01", "rebels", 3), capture("T02", "rebels", 4),
                capture("T10", "regime", 5), capture("T11", "regime", 7), capture("T20", "regime", 9),
                capture("T21", "regime", 11), capture("T22", "regime", 13)]
    monkeypatch.setattr(plots, "MAX_CAPTURE_ROWS", 4)
    fig = plots.capture_dates_figure(res, recorded)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sorted(rows) == ["T01 → Turkish-backed rebels", "T10 → Government", "T20 → Government", "T22 → Government"]
    assert any("4 of 8 recorded captures shown" in t for t in texts(fig)), texts(fig)


def test_every_capture_is_drawn_and_no_note_when_all_fit(toy_results):  # noqa: F811
    _, ens = toy_results
    res = load_results(ens)
    fig = plots.capture_dates_figure(res, [capture("T00", "rebels", 4), capture("T21", "regime", 10)])
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert {"T00 → Turkish-backed rebels", "T21 → Government"} <= set(rows)
    assert not any("shown" in t for t in texts(fig))


def test_the_capture_note_counts_every_unlisted_change_it_leaves_out_and_the_rare_ones():
    """The note said "29 simulated changes of hands that the record does not list are left out", counting only those
    seen in one run in ten or more: a campaign ensemble had 58, and the 29 rarer ones went unmentioned."""
    from types import SimpleNamespace

    from sim.viz.capture_rows import capture_rows

    towns = ["A", "B", "C", "D"]
    theatre = SimpleNamespace(towns=towns, town=towns.index, population=np.full(4, 1000.0))
    rows = [("A", "rebels", seed, "2020-01-03") for seed in range(20)]  # on the record
    rows += [("B", "regime", seed, "2020-01-05") for seed in range(6)]  # not listed, in 6 runs of 20
    rows += [("C", "regime", seed, "2020-01-07") for seed in range(3)]  # not listed, in 3 of 20
    rows += [("D", "regime", 0, "2020-01-09")]  # not listed, in 1 of 20: rare
    caps = pd.DataFrame(rows, columns=["town", "to", "seed", "date"])
    scored = {"c-a-rebels": ("2020-01-03",) * 20}  # the recorded capture as the scorecard reads it in each run
    drawn, note = capture_rows(theatre, caps, 20, [capture("A", "rebels", 3)], scored, limit=10)
    assert [r.town for r in drawn] == ["A", "B", "C"]
    assert note == "1 more the record does not list, each in fewer than one run in 10, have no row."
    drawn, note = capture_rows(theatre, caps, 20, [capture("A", "rebels", 3)], scored, limit=1)
    assert [r.town for r in drawn] == ["A"]
    assert ("2 simulated changes of hands that the record does not list, each in at least one run in 10, are left out."
            "\n1 more the record does not list, each in fewer than one run in 10, have no row.") in note, note


def test_a_reported_dates_tolerance_is_drawn_from_its_after_where_that_cuts_it(toy_results):  # noqa: F811
    """The bars drew reported ± tolerance whatever the outcome's 'after': Abu Jarif's second taking, counted from 17
    January only, was drawn from 14 January."""
    import matplotlib.dates as mdates

    _, ens = toy_results
    cut = capture("T00", "rebels", 10).model_copy(update={"tolerance_days": 5, "after": dt.date(2020, 1, 8)})
    whole = capture("T21", "regime", 10).model_copy(update={"tolerance_days": 5})
    fig = plots.capture_dates_figure(load_results(ens), [cut, whole])
    bars = [c for c in fig.axes[0].collections if c.get_gid() == "tolerance"]
    spans = sorted((mdates.num2date(seg[0][0]).date(), mdates.num2date(seg[1][0]).date()) for bar in bars for seg in bar.get_segments())
    assert spans == [(dt.date(2020, 1, 5), dt.date(2020, 1, 15)), (dt.date(2020, 1, 8), dt.date(2020, 1, 15))], spans


def test_a_run_in_which_no_town_changes_hands_says_so_without_a_warning(quiet):
    assert all(r.captures.empty for r in quiet.runs)
    fig = plots.capture_dates_figure(quiet, [])  # warnings are errors here: the old empty frame warned
    ax = fig.axes[0]
    assert any("No town changed hands" in t for t in texts(fig)), texts(fig)
    assert ax.get_yticklabels() == [] or all(t.get_text() == "" for t in ax.get_yticklabels())
    assert not any("right: runs in which" in t for t in texts(fig))  # there is nothing on the right
    fig.canvas.draw()


def test_the_displaced_panel_says_from_when_it_counts_and_has_no_repeated_ticks(quiet):
    assert all(r.timeseries["displaced"].max() == 0 for r in quiet.runs)
    fig = plots.losses_figure(quiet, [])
    fig.canvas.draw()
    displaced = fig.axes[0]
    words = " ".join([displaced.get_title(), *(t.get_text() for t in displaced.texts)])
    assert "1 Jan 2020" in words and "scenario's start" in words, words
    assert "No civilians displaced" in words, words
    for ax in fig.axes:
        ticks = [t.get_text() for t in ax.get_yticklabels() if ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]]
        assert len(ticks) == len(set(ticks)) >= 2, ticks


def test_a_losses_panel_with_nothing_to_show_keeps_turkish_capitalised(quiet):
    # The panel's title was lower-cased whole: "No turkish soldiers killed in any of the 3 runs".
    assert all(r.timeseries["turkish_deaths"].max() == 0 for r in quiet.runs)
    fig = plots.losses_figure(quiet, [])
    words = [t.get_text() for t in fig.axes[1].texts]
    assert words == ["No Turkish soldiers killed in any of the 3 runs"], words


def test_the_losses_legend_names_the_record_once(toy_results):  # noqa: F811
    _, ens = toy_results
    res = load_results(ens)
    reported = [quantity("displaced", d, 0, 10_000) for d in (4, 8, 12)]
    fig = plots.losses_figure(res, reported)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["Simulated: each day's median of 4 runs\n(band: 5–95% of runs; each a run's count)", "Reported (accepted range)"]
    assert len(fig.axes[0].containers) == 3  # every reported figure is still drawn


def test_the_patrol_legend_is_off_the_data_and_its_reported_entries_differ(quiet):
    reported = [quantity("patrol_coverage", d, 0.1 * k, 0.1 * k + 0.3, f"claim {k}") for k, d in enumerate((10, 40, 70))]
    fig = plots.patrol_figure(quiet, reported)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    (legend,) = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
    assert not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    bars = {c.get_label(): to_hex(c.lines[2][0].get_color()[0]) for c in ax.containers}
    assert set(bars) == {plots.patrol_record_label(o) for o in reported} <= {t.get_text() for t in legend.get_texts()}
    assert len(set(bars.values())) == 3, bars  # one colour each, so each bar can be found in the legend


def test_the_patrol_legend_says_what_its_whisker_shows(quiet):
    # The legend read "Until late May 2020 every joint patrol covers 15 km of the route or less" (the outcome's
    # description) beside a whisker for one patrol, on 20 May, at up to 30% of the route (~21 km of 71).
    claim = quantity("patrol_coverage", 52, 0.0, 0.3, "Until late May 2020 every joint patrol covers 15 km of the route or less")
    claim = claim.model_copy(update={"reported": 0.2})
    fig = plots.patrol_figure(quiet, [claim])
    (whisker,) = fig.axes[0].containers
    (segment,) = whisker.lines[2][0].get_segments()
    low, high = sorted(segment[:, 1])
    assert (low, high) == pytest.approx((0.0, 0.3))
    (label,) = [t.get_text() for t in fig.legends[0].get_texts() if t.get_text() == whisker.get_label()]
    assert "21 Feb" in label and f"{low:.0%}–{high:.0%} counts as met" in label and "covered 20% of the route" in label, label
    assert "15 km" not in label and "every" not in label, label


def test_an_event_label_gives_the_date_the_event_takes_effect_when_events_share_a_marker(quiet):
    fig = plots.towns_held_figure(quiet)
    described = [x.get_text() for x in fig.axes[2].get_legend().get_texts()]
    # The deal is announced on 1 Jan, in force from 2 Jan (as the run's events say); it shares a marker with 1 Jan's air policy.
    assert described[0] == "1 Jan: Russian air effort held to 50%; 2 Jan: Deal in force", described
    (in_force,) = quiet.runs[0].events.loc[quiet.runs[0].events["type"] == "agreement_in_force", "date"]
    assert in_force == "2020-01-02"
    # The same event on two days of a group is named once, after both (the campaign's two offensives of 19 and 20 Dec).
    starts = [{"type": "offensive", "action": "start", "date": d} for d in ("2019-12-19", "2019-12-20")]
    ((_, items),) = event_key.event_groups(starts, dt.date(2019, 12, 1), dt.date(2020, 3, 5), gap_days=3)
    assert event_key.group_text(items) == "19–20 Dec: Government offensive starts"


def test_the_towns_held_key_wraps_long_event_names_and_stays_on_the_figure(quiet):
    """Long event names (two deals and an intervention, each named at length) wrap in the key: no label runs off the
    figure's right edge, and the key runs neither into the plot above it nor into the factions' legend below it."""
    long = "the ceasefire agreed in Moscow between the presidents of Russia and Turkey, with its additional protocol"
    events = [ev(date="2020-01-05", type="intervention", name="Operation Spring Shield, Turkish drones and artillery " * 2),
              ev(date="2020-01-20", type="truce", name=f"Truce: {long}", effective="2020-01-20"),
              ev(date="2020-02-10", type="agreement", name=f"Agreement: {long}", effective="2020-02-10"),
              *(ev(date=f"2020-03-{d:02d}", type="offensive", action="start") for d in (2, 9, 16, 23, 30))]
    manifest = {**quiet.manifest, "parameters": {**quiet.manifest["parameters"], "events": events}}
    fig = plots.towns_held_figure(dataclasses.replace(quiet, manifest=manifest))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    top, ax, key = fig.axes
    legend, (factions,) = key.get_legend(), fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == 8 and any("\n" in x for x in labels), labels
    assert all(len(line) <= event_key.EVENT_KEY_WRAP for x in labels for line in x.split("\n")), labels
    for text in legend.get_texts():
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, (text.get_text(), box)
    box = legend.get_window_extent(renderer)
    assert box.y1 <= ax.get_tightbbox(renderer).y0 and box.y0 >= factions.get_window_extent(renderer).y1, box
    assert box.x1 <= fig.bbox.width


CODES = r"(?<!Turkish-backed )\b(regime|hts|rebels|turkey|russia)\b"  # a faction code, not a display name


def test_animation_captions_name_the_factions_as_the_figures_do(toy_results):  # noqa: F811
    single, _ = toy_results
    log = load_results(single).runs[0].events
    rows = [*log[["type", "town", "detail", "actors"]].itertuples(index=False),
            ("strike", "T11", "killed: turkey 33, regime 2", "regime"),
            ("truce_broken", "", "Truce: regime resumes its offensive", "regime"),
            ("offensive_start", "", "north: T11 > T12", "hts")]
    lines = [c for c in (caption(*row) for row in rows) if c]
    assert any(" taken: " in c for c in lines)
    assert not [c for c in lines if re.search(CODES, c)], lines
    assert caption("capture", "T11", "rebels -> regime (assault)", "regime;rebels") == "T11 taken: Turkish-backed rebels → Government (assault)"
    assert caption("offensive_start", "", "north: T11 > T12", "hts") == "HTS offensive starts"


def test_an_encircled_post_is_captioned_by_its_name_not_its_id(build):
    """The model logs ``<name> (<id>) encircled`` (outcomes match on the id); a frame's caption names the post as
    the theatre's post table does, parentheses in the name and all, and not by its id."""
    from sim.experiments.run import simulate

    from .test_rules import STRONG_REGIME, post_theatre, push, scenario

    post_theatre(build)
    posts = build.root / "toy.posts.csv"
    posts.write_text(posts.read_text().replace(",p1,A,", ',"Hill post (Jabal A) observation post",A,'))
    sc = scenario(build, {**STRONG_REGIME, "turkey": {"deterrence": 5.0, "escalation_per_encirclement": 0.0}},
                  [push(["A", "C"], frontage=1)])
    log = simulate(sc).events
    (row,) = log.loc[log["type"] == "post_encircled", ["type", "town", "detail", "actors"]].itertuples(index=False)
    assert "(p1)" in row.detail  # what outcomes match on stays in the log
    line = caption(*row)
    assert "p1" not in line and "Hill post (Jabal A) observation post" in line and "encircled" in line, line
    assert caption("post_encircled", "Saraqib", "Post east of Saraqib (feb2020-saraqib-east) encircled", "turkey;regime") \
        == "Turkish post encircled: Post east of Saraqib"  # the town is in the name: not said twice
    assert caption("post_encircled", "Sheikh Mansour", "Post north of Saraqib (feb2020-saraqib-4) encircled") \
        == "Turkish post encircled: Post north of Saraqib, by Sheikh Mansour"


def test_the_animation_frames_caption_in_display_names(toy_results, tmp_path, monkeypatch):  # noqa: F811
    import sim.viz.animation as animation

    single, _ = toy_results
    notes = []

    def keep(anim, path, writer, progress=False):  # noqa: ANN001 - draw every frame here instead of saving it
        for k in range(anim._save_count):
            anim._func(k)
            notes.append(anim._fig.texts[-1].get_text())
        anim._draw_was_started = True  # not drawn by matplotlib: it would warn on deleting it
        return path

    monkeypatch.setattr(animation, "save_animation", keep)
    animation.animate(single, out=tmp_path / "c.gif", max_frames=5)
    assert any(" taken: " in n for n in notes), notes
    assert not [n for n in notes if re.search(CODES, n)], notes


def test_the_capture_legend_lists_only_what_is_drawn(toy_results, monkeypatch):  # noqa: F811
    _, ens = toy_results
    res = load_results(ens)
    assert not (pd.read_csv(ens / "captures.csv")["to"] == "hts").any()  # HTS holds nothing on this grid
    fig = plots.capture_dates_figure(res, [capture("T00", "hts", 4)])  # a row, and a reported date, but no dot
    assert "T00 → HTS" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Simulated: taken by Government" in labels and "Simulated: taken by HTS" not in labels
    # That row alone: no dots, so no median either.
    monkeypatch.setattr(plots, "MAX_CAPTURE_ROWS", 1)
    fig = plots.capture_dates_figure(res, [capture("T00", "hts", 4)])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Reported date ± tolerance"]


def test_the_reported_tolerance_and_the_simulated_middle_half_are_told_apart_by_colour(toy_results):  # noqa: F811
    """Both were black lines on the same row: where they overlapped, a reader could not say which was the record."""
    from matplotlib.colors import same_color

    from sim.viz.style import REPORTED_COLOUR

    _, ens = toy_results
    res = load_results(ens)
    fig = plots.capture_dates_figure(res, [capture("T21", "regime", 10)])
    ax = fig.axes[0]
    diamonds = [line for line in ax.get_lines() if line.get_gid() == "reported"]
    bars = [c for c in ax.collections if c.get_gid() == "tolerance"]
    assert diamonds and bars, "no reported date drawn"
    assert all(same_color(d.get_color(), REPORTED_COLOUR) for d in diamonds)
    assert all(same_color(b.get_color()[0], REPORTED_COLOUR) for b in bars)
    middles = [line for line in ax.get_lines() if line.get_gid() == "middle_half"]
    assert middles and not any(same_color(line.get_color(), REPORTED_COLOUR) for line in middles)
    legend = {t.get_text(): h for t, h in zip(fig.legends[0].get_texts(), fig.legends[0].legend_handles, strict=True)}
    assert same_color(legend["Reported date ± tolerance"].get_color(), REPORTED_COLOUR)


def test_the_capture_median_is_over_replicates_not_captures(toy_results, monkeypatch):  # noqa: F811
    """The median tick and middle half were taken over every capture in the row, so a replicate that took a town back and
    forth counted once a capture: a change of hands that fewer than half the runs ever see got a median date (Saraqib
    to the rebels in 9 of 20 campaign runs, a tick on 4 March) where capture_dates.csv and compare say "never"."""
    _, ens = toy_results
    res = load_results(ens)
    assert len(res.runs) == 4
    seeds = [run.seed for run in res.runs]
    rows = [(seeds[0], "2020-01-03", "T00"), (seeds[0], "2020-01-05", "T00"), (seeds[0], "2020-01-07", "T00"),  # 1 run of 4
            (seeds[0], "2020-01-03", "T01"), (seeds[0], "2020-01-06", "T01"), (seeds[0], "2020-01-08", "T01"),  # 2 runs of 4
            (seeds[1], "2020-01-10", "T01")]
    caps = pd.DataFrame([{"seed": s, "date": d, "town": t, "from": "regime", "to": "hts"} for s, d, t in rows])
    monkeypatch.setattr(plots, "all_captures", lambda runs: caps)
    fig = plots.capture_dates_figure(res, [])
    ax = fig.axes[0]
    row_of = {t.get_text(): y for y, t in enumerate(ax.get_yticklabels())}
    medians = {line.get_ydata()[0]: pd.Timestamp(line.get_xdata()[0]).date() for line in ax.get_lines() if line.get_gid() == "median"}
    assert row_of["T00 → HTS"] not in medians  # one run in four: "never", as in capture_dates.csv
    assert medians[row_of["T01 → HTS"]] == dt.date(2020, 1, 10)  # the earlier middle of (3 January, 10 January, never, never)


def test_capture_dates_draws_a_dot_for_each_run_it_counts(toy_results, monkeypatch):  # noqa: F811
    """Every capture in a row was a dot, while the count at its right took each run once: a run that took T01 three
    times drew three dots beside "2/4" (Zarbah to the government, 20/20 in the campaign, had 26). A dot is now a run's
    first capture in a row the record does not list (on a recorded capture's row, the change the scorecard reads), the
    date it counts with at the right and in the median, and the title says so."""
    import matplotlib.dates as mdates

    _, ens = toy_results
    res = load_results(ens)
    seeds = [run.seed for run in res.runs]
    rows = [(seeds[0], "2020-01-03", "T01"), (seeds[0], "2020-01-06", "T01"), (seeds[0], "2020-01-08", "T01"),
            (seeds[1], "2020-01-10", "T01")]
    caps = pd.DataFrame([{"seed": s, "date": d, "town": t, "from": "regime", "to": "hts"} for s, d, t in rows])
    monkeypatch.setattr(plots, "all_captures", lambda runs: caps)
    fig = plots.capture_dates_figure(res, [])
    ax = fig.axes[0]
    dots = [c for c in ax.collections if c.get_gid() == "simulated"]
    assert [t.get_text() for t in ax.texts if "/" in t.get_text()] == ["2/4"]
    assert sorted(mdates.num2date(x).date() for c in dots for x, _ in c.get_offsets()) \
        == [dt.date(2020, 1, 3), dt.date(2020, 1, 10)]
    assert "a dot a run: the change scored, else its first" in fig._suptitle.get_text()


def test_a_long_scenario_names_plot_titles_stay_inside_the_figure(toy_results):  # noqa: F811
    """capture_dates.png of a shipped what-if, whatif_no_moscow_agreement_turkey_stands_down, had its title cut at both
    edges (it began 'cow_agreement_...'): the name and the figure's words made one line wider than the figure."""
    _, ens = toy_results
    res = load_results(ens)
    res = dataclasses.replace(res, manifest={**res.manifest, "scenario_name": "whatif_no_moscow_agreement_turkey_stands_down"})
    figures = {"capture_dates": plots.capture_dates_figure(res, []), "losses": plots.losses_figure(res, []),
               "towns_held": plots.towns_held_figure(res)}
    for name, fig in figures.items():
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        titles = [t for t in (fig._suptitle, *(ax.title for ax in fig.axes)) if t is not None and t.get_text()]
        assert any(res.name in t.get_text() for t in titles), name
        for title in titles:
            box = title.get_window_extent(renderer)
            assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (name, title.get_text(), box, fig.bbox.width)
