"""Maps: what is drawn matches the state it was drawn from, on a small hand-built theatre."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from shapely.geometry import Point

from sim import InputError, load_scenario, simulate, write_run
from sim.analysis.results import RunData, load_results
from sim.cli import main
from sim.experiments.ensemble import run_ensemble
from sim.io.theatre import EARTH_KM_PER_DEG, load_theatre
from sim.names import HOLDERS
from sim.viz.animation import animate, caption
from sim.viz.figures import control_map_figure, ensemble_figure
from sim.viz.geometry import front_ridges, front_shares, layout
from sim.viz.map_state import ensemble_state, run_state
from sim.viz.maps import make_map, map_figure, resolve_date
from sim.viz.style import FACTION_COLOURS, tint

from .conftest import ev
from .test_runs import run_cli

D0 = dt.date(2020, 1, 1)


def grid_theatre(build, controllers=None):
    """Nine towns on a 3 x 3 grid about 10 km apart, an 'M9' across the middle row, a post at the centre."""
    controllers = controllers or ["regime"] * 3 + ["rebels"] * 3 + ["hts"] * 3
    towns = [(f"T{r}{c}", 35.5 + 0.09 * r, 36.0 + 0.11 * c, controllers[3 * r + c], 40_000) for r in range(3) for c in range(3)]
    roads = [(f"T1{c}", f"T1{c + 1}", "M9") for c in range(2)]
    roads += [(f"T{r}{c}", f"T{r + 1}{c}", "secondary") for r in range(2) for c in range(3)]
    return build.theatre(towns, roads, posts=[("p1", "T11", "2019-01-01"), ("p2", "T00", "")])


def find(ax, gid):
    return [a for a in (*ax.collections, *ax.patches, *ax.lines) if a.get_gid() == gid]


def run_of(history, events=(), ceasefire=None, posts=None, encircled=None):
    """A run read back: its control history, events, time series and recorded posts (one at the centre town by default)."""
    days = len(history)
    ts = pd.DataFrame({"date": [(D0 + dt.timedelta(days=d)).isoformat() for d in range(days)],
                       "ceasefire": ceasefire or ["none"] * days, "patrol_coverage": [np.nan] * days})
    log = pd.DataFrame(list(events), columns=["date", "type", "town", "actors", "detail"])
    if posts is None:
        posts = np.zeros((days, 2), bool)
        posts[:, 0] = True  # the post overlooking the centre town; the other (at T00) is not set up
    if encircled is None:
        encircled = np.zeros_like(posts, bool)
    return RunData(1, D0, np.array(history, dtype=np.int8), log, ts, np.asarray(posts, bool), np.asarray(encircled, bool))


def test_territory_and_towns_take_each_towns_controller(build):
    t = load_theatre(grid_theatre(build))
    control = np.array([0, 1, 2, 2, 0, 1, 1, 2, 0], dtype=np.int8)
    encircled = np.array([[True, False]])  # as the run recorded it: the centre town is government-held
    state = run_state(t, [], run_of([control], encircled=encircled), D0)
    fig = control_map_figure(t, state, "test")
    ax = fig.axes[0]
    (cells,) = find(ax, "territory")
    expected = np.array([tint(FACTION_COLOURS[HOLDERS[control[i]]]) for i in cells.town_index])
    assert np.allclose(cells.get_facecolors(), expected)
    assert sorted(set(cells.town_index)) == list(range(9))  # every town has ground
    (towns,) = find(ax, "towns")
    assert np.allclose(towns.get_facecolors(), [to_rgba(FACTION_COLOURS[HOLDERS[c]]) for c in control])
    # The post at the centre is drawn encircled, as the run recorded it.
    assert state.encircled.tolist() == [True, False]
    assert len(find(ax, "posts_encircled")[0].get_offsets()) == 1 and len(find(ax, "posts")[0].get_offsets()) == 0
    # The front runs between government cells and the others, nowhere else.
    lay = layout(t)
    front = front_ridges(lay, control)
    gov = control == 0
    assert all(gov[u] != gov[v] for (u, v, _), f in zip(lay.ridges, front, strict=True) if f) and front.any()
    # Labels never overlap each other.
    labels = [a.get_window_extent() for a in ax.texts if a.get_gid() == "label"]
    assert len(labels) == 9 and not any(a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1 :])


def test_an_ensemble_map_draws_posts_and_police_as_most_runs_have_them_and_says_so(build):
    # Posts and military police were replicate 0's, "encircled" was "in more than half the runs", and the legend
    # said neither: one run's police in a town stood for the whole ensemble.
    t = load_theatre(grid_theatre(build))
    control = [np.zeros(9, np.int8)]
    police = [(D0.isoformat(), "military_police", "T11", "russia", "")]
    first = run_of(control, police, posts=[[True, False]])  # police at T11; the post at T00 not set up
    others = [run_of(control, posts=[[True, True]], encircled=[[True, False]]) for _ in range(2)]
    es = ensemble_state(t, [], [first, *others], D0)
    assert es.state.posts.tolist() == [True, True] and es.state.encircled.tolist() == [True, False]
    assert not es.state.military_police.any()
    fig = ensemble_figure(t, es, "regime", "x")
    ax = fig.axes[0]
    assert len(find(ax, "posts_encircled")[0].get_offsets()) == 1 and len(find(ax, "posts")[0].get_offsets()) == 1
    assert len(find(ax, "military_police")[0].get_offsets()) == 0
    labels = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"Turkish post (in most runs)", "Turkish post, encircled in most runs"} <= labels
    # With police in most runs, the legend says it of them too; a single run's map says nothing of runs.
    es = ensemble_state(t, [], [first, first, others[0]], D0)
    assert es.state.military_police.sum() == 1
    # Half the runs is not most: police, the post at T00 and the encirclement each in 2 of 4 are not drawn.
    half = ensemble_state(t, [], [first, first, others[0], others[1]], D0).state
    assert (half.military_police.sum(), half.posts.tolist(), half.encircled.tolist()) == (0, [True, False], [False, False])
    assert "Russian military police (in most runs)" in {t.get_text() for t in ensemble_figure(t, es, "regime", "x").legends[0].get_texts()}
    single = control_map_figure(t, run_state(t, [], first, D0), "one run")
    assert {"Turkish post", "Russian military police"} <= {t.get_text() for t in single.legends[0].get_texts()}


def test_an_ensemble_maps_pale_areas_have_a_legend_entry_in_their_colours(build):
    # The front-spread map tints each area by who holds its town in most runs; the legend said nothing of it.
    t = load_theatre(grid_theatre(build))
    es = ensemble_state(t, [], [run_of([np.array([0, 1, 2] * 3, np.int8)])] * 3, D0)
    fig = ensemble_figure(t, es, "regime", "x")
    (cells,) = find(fig.axes[1], "territory")
    pale = [tint(FACTION_COLOURS[h], 0.18) for h in HOLDERS]
    assert np.allclose(cells.get_facecolors(), [pale[i % 3] for i in cells.town_index])
    legend = fig.legends[0]
    assert "Front line map's pale areas:\nwho holds the town in most runs" in {t.get_text() for t in legend.get_texts()}
    swatches = [p.get_facecolor() for p in legend.findobj(Rectangle) if p.get_gid() is None and p.get_visible()]
    assert all(any(np.allclose(colour, shade) for shade in swatches) for colour in pale)


def test_the_front_spread_maps_legend_names_that_map_by_its_title_not_by_its_side(build):
    # The legend called its areas the "Right map's"; the app shows the two maps one under the other on a phone and on a
    # 1024-px page, where there is no right map: they are named by the map's title, "Front line spread ...".
    t = load_theatre(grid_theatre(build))
    regime, rebels = HOLDERS.index("regime"), HOLDERS.index("rebels")
    start = np.array([regime] * 3 + [rebels] * 6, np.int8)
    moved = start.copy()
    moved[4] = regime  # a tie in two of four runs: the hatched entry is drawn too
    runs = [run_of([start, start]), run_of([start, start]), run_of([start, moved]), run_of([start, moved])]
    fig = ensemble_figure(t, ensemble_state(t, [], runs, D0 + dt.timedelta(days=1)), "regime", "x")
    assert fig.axes[1].get_title().startswith("Front line")
    areas = [x.get_text() for x in fig.legends[0].get_texts() if "areas" in x.get_text()]
    assert len(areas) == 2
    assert all(a.startswith("Front line map's ") for a in areas), areas
    assert not any(re.search(r"\b(right|left) map", x.get_text(), re.IGNORECASE) for x in fig.legends[0].get_texts())


def test_cells_are_clipped_to_the_theatre_and_cut_by_the_border(build):
    path = grid_theatre(build)
    # A border running east-west north of the towns: nothing beyond it is territory.
    (build.root / "toy.border.csv").write_text("lat,lon\n35.75,35.5\n35.75,36.8\n")
    index = path.read_text() + "border: toy.border.csv\n"
    path.write_text(index)
    t = load_theatre(path)
    lay = layout(t)
    assert lay.outline.bounds[3] <= 35.75 + 1e-9
    assert lay.outline.bounds[1] < 35.5  # the buffer reaches beyond the southern towns
    area = sum(p.area for p in getattr(lay.outline, "geoms", [lay.outline]))
    assert sum(abs(_shoelace(r[:, 0] * lay.kx, r[:, 1])) for cell in lay.cells for r in cell) == pytest.approx(area, rel=1e-6)


def cell_reach_km(lay, town):
    """How far ``town``'s cell reaches from the town, in km."""
    t = lay.theatre
    xy = np.vstack(lay.cells[town])
    return float(np.hypot((xy[:, 0] - t.lon[town]) * lay.kx, xy[:, 1] - t.lat[town]).max() * EARTH_KM_PER_DEG)


def test_a_far_off_town_holds_no_more_ground_than_its_neighbours_would(build):
    # The Voronoi cell of a town with no neighbour for miles took everything up to the hull: on the Idlib maps the
    # cell of Kabani ran ~38 km south through government-held ground, an HTS salient no run had taken.
    path = grid_theatre(build)
    towns = [(f"T{r}{c}", 35.5 + 0.09 * r, 36.0 + 0.11 * c, "regime", 40_000) for r in range(3) for c in range(3)]
    towns.append(("Far", 35.59, 36.22 + 0.8, "hts", 40_000))  # ~70 km east of the grid's eastern column
    build.theatre(towns, [("T12", "Far", "secondary")] + [(f"T1{c}", f"T1{c + 1}", "M9") for c in range(2)])
    t = load_theatre(path)
    lay = layout(t)
    spacing = 10.0  # the grid's towns are ~10 km from their neighbours: the cells reach 3 times that at most
    far = t.town("Far")
    assert 0.9 * 3 * spacing < cell_reach_km(lay, far) <= 1.02 * 3 * spacing
    assert all(cell_reach_km(lay, k) <= 1.02 * 3 * spacing for k in range(t.n))
    # Half-way between the grid and the far town lies ground no town speaks for: outside the theatre, no one's cell.
    middle = Point((t.lon[far] + 36.22) / 2 * lay.kx, 35.59)
    assert not lay.outline.contains(middle)
    # The towns' own ground is unchanged: the grid's central cell is its Voronoi square, whole.
    centre = t.town("T11")
    assert cell_reach_km(lay, centre) == pytest.approx(np.hypot(0.055 * lay.kx, 0.045) * EARTH_KM_PER_DEG, rel=1e-6)


def test_ground_enclosed_by_towns_but_far_from_each_is_drawn_outside_the_theatre(build):
    # A ring of towns ~10 km apart around an empty middle 40 km across: the middle is a hole in the theatre.
    angles = np.linspace(0, 2 * np.pi, 26, endpoint=False)
    towns = [(f"R{k}", 35.5 + 0.36 * np.sin(a), 36.5 + 0.36 / 0.81 * np.cos(a), "regime", 10_000) for k, a in enumerate(angles)]
    path = build.theatre(towns, [(f"R{k}", f"R{(k + 1) % 26}", "secondary") for k in range(26)])
    t = load_theatre(path)
    lay = layout(t)
    assert not lay.outline.contains(Point(36.5 * lay.kx, 35.5))
    fig = control_map_figure(t, run_state(t, [], run_of([np.zeros(26, np.int8)], posts=np.zeros((1, 0), bool)), D0), "ring")
    ax = fig.axes[0]
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())

    def colour_at(lon, lat):
        x, y = ax.transData.transform((lon, lat))
        return tuple(pixels[int(round(pixels.shape[0] - y)), int(round(x)), :3])

    assert colour_at(36.5, 35.5) == tuple(int(round(255 * c)) for c in to_rgba(ax.get_facecolor())[:3]), \
        "the middle is drawn as outside the theatre, not as white ground"
    held = np.array(tint(FACTION_COLOURS["regime"])[:3]) * 255
    assert np.allclose(colour_at(36.5, 35.5 + 0.36 - 0.15), held, atol=2), "the towns' own ground is drawn as theirs"


def _shoelace(x, y):
    return 0.5 * (np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def band_holds(t, band) -> list[bool]:
    """Which towns lie inside the corridor's drawn band."""
    from matplotlib.path import Path as MplPath

    inside = np.zeros(t.n, bool)
    for patch in band:
        inside |= MplPath(patch.get_xy()).contains_points(np.column_stack([t.lon, t.lat]))
    return inside.tolist()


def test_corridor_band_only_while_the_agreement_is_in_force(build):
    t = load_theatre(grid_theatre(build))
    deal = {"type": "agreement", "date": "2020-01-02", "effective": "2020-01-03", "name": "Deal", "corridor": {"road": "M9", "width_km": 3}}
    control = np.zeros(9, dtype=np.int8)
    control[3:6] = HOLDERS.index("rebels")  # the road's towns: a corridor on the government's ground is not drawn
    run = run_of([control] * 6, ceasefire=["none", "none", "in force", "in force", "broken", "broken"])
    states = [run_state(t, [deal], run, D0 + dt.timedelta(days=d)) for d in range(6)]
    assert [s.corridor is not None for s in states] == [False, False, True, True, False, False]
    drawn = control_map_figure(t, states[2], "x").axes[0]
    band = find(drawn, "corridor")
    assert band and all(find(control_map_figure(t, s, "x").axes[0], "corridor") == [] for s in (states[1], states[4]))
    # The band is 3 km each side of the road: it holds the middle row of towns and no other.
    assert band_holds(t, band) == [False] * 3 + [True] * 3 + [False] * 3


def test_corridor_without_a_patrol_route_is_drawn_only_off_the_governments_ground(build):
    """With no joint-patrol plan (the app's "No joint patrols"), the Moscow corridor was drawn along the whole M4,
    through government-held Saraqib to Latakia, where the model polices nothing (docs/model.md): the band covers the
    road's stretches with an end the government does not hold, and a road all the government's has none, nor a legend
    entry."""
    t = load_theatre(grid_theatre(build))
    deal = {"type": "agreement", "date": "2020-01-01", "effective": "2020-01-01", "name": "Deal", "corridor": {"road": "M9", "width_km": 3}}
    rebels = HOLDERS.index("rebels")
    control = np.zeros(9, dtype=np.int8)
    control[5] = rebels  # T12, the road's east end; T10 and T11 the government's
    fig = control_map_figure(t, run_state(t, [deal], run_of([control], ceasefire=["in force"]), D0), "x")
    assert band_holds(t, find(fig.axes[0], "corridor")) == [False] * 4 + [True] * 2 + [False] * 3
    # The legend says where the band is: 'M9 security corridor (3 km each side)' read as the whole road's.
    assert "M9 security corridor off the government's ground (3 km each side)" in [x.get_text() for x in fig.legends[0].get_texts()]
    everywhere = np.zeros(9, dtype=np.int8)
    fig = control_map_figure(t, run_state(t, [deal], run_of([everywhere], ceasefire=["in force"]), D0), "x")
    assert find(fig.axes[0], "corridor") == [] and not any("corridor" in x.get_text() for x in fig.legends[0].get_texts())


def test_corridor_is_the_deal_in_force_not_the_last_one_listed(build):
    """A what-if's events come after its base's, whatever their dates: the map took the corridor of the deal listed
    last, and drew an earlier agreement's corridor while the truce that superseded it was in force."""
    t = load_theatre(grid_theatre(build))
    truce = {"type": "truce", "date": "2020-01-04", "effective": "2020-01-05", "name": "Truce"}
    deal = {"type": "agreement", "date": "2020-01-02", "effective": "2020-01-03", "name": "Deal", "corridor": {"road": "M9", "width_km": 3}}
    run = run_of([np.zeros(9, dtype=np.int8)] * 6, ceasefire=["none", "announced", "in force", "announced", "in force", "in force"])
    states = [run_state(t, [truce, deal], run, D0 + dt.timedelta(days=d)) for d in range(6)]
    assert [s.corridor is not None for s in states] == [False, False, True, False, False, False]


def test_posts_come_from_the_runs_record_and_patrols_from_its_events(build):
    t = load_theatre(grid_theatre(build))
    patrol = {"type": "joint_patrol", "date": "2020-01-02", "announced": "2020-01-02", "route": ["T10", "T12"], "road": "M9"}
    # The events say nothing the map reads about posts: it reads the recorded posts.
    events = [("2020-01-03", "patrol", "T11", "russia;turkey", "covered 50%")]
    posts = np.zeros((4, 2), bool)
    posts[:2, 0] = True  # the centre post until 2 January ...
    posts[1:, 1] = True  # ... and one at T00 from 2 January
    control = np.array([2] * 9, dtype=np.int8)
    run = run_of([control] * 4, events, posts=posts)
    run.timeseries.loc[2, "patrol_coverage"] = 0.5
    before, after = (run_state(t, [patrol], run, D0 + dt.timedelta(days=d)) for d in (0, 3))
    assert before.posts.tolist() == [True, False] and before.patrols == []
    assert after.posts.tolist() == [False, True]
    (p,) = after.patrols
    assert [t.towns[i] for i in p.route] == ["T10", "T11", "T12"] and t.towns[p.reached] == "T11" and p.coverage == 0.5


def test_a_patrol_that_drove_the_whole_route_is_the_last_patrol_on_the_map(build):
    t = load_theatre(grid_theatre(build))
    patrol = {"type": "joint_patrol", "date": "2020-01-02", "announced": "2020-01-02", "route": ["T10", "T12"], "road": "M9"}
    events = [("2020-01-02", "patrol", "T11", "russia;turkey", "covered 25%"),
              ("2020-01-03", "patrol_completed", "T12", "russia;turkey", "covered the whole 2 km")]
    run = run_of([np.array([2] * 9, dtype=np.int8)] * 4, events, posts=np.zeros((4, 2), bool))
    run.timeseries.loc[1, "patrol_coverage"] = 0.25
    run.timeseries.loc[2, "patrol_coverage"] = 1.0
    (p,) = run_state(t, [patrol], run, D0 + dt.timedelta(days=3)).patrols
    assert t.towns[p.reached] == "T12" and p.coverage == 1.0 and p.date == D0 + dt.timedelta(days=2)


@pytest.fixture(scope="module")
def toy_results(tmp_path_factory):
    """A small single run and a small ensemble on the grid, written as folders."""
    from .conftest import Builder

    build = Builder(tmp_path_factory.mktemp("maps"))
    grid_theatre(build, ["regime"] * 3 + ["rebels"] * 6)
    body = {"end": "2020-01-15", "seed": 5, "factions": {"regime": {"force": 60, "regen": 1}, "rebels": {"garrison": 3}},
            "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T12"], force=50),
                       ev(date="2020-01-05", type="agreement", name="Deal", effective="2020-01-06", parties=["russia", "turkey"],
                          compliance={"regime": 0.9, "rebels": 0.9}, corridor={"road": "M9", "width_km": 3})]}
    sc_path = build.scenario(body)
    sc = load_scenario(sc_path)
    single = write_run(simulate(sc), build.root / "run", scenario_path=sc_path)
    ens = build.root / "ens"
    run_ensemble(sc, 4, ens, workers=1)
    return single, ens


def test_probability_map_shades_the_ensemble_table(toy_results):
    _, ens = toy_results
    res = load_results(ens)
    prob = pd.read_csv(ens / "control_prob.csv")
    date = dt.date(2020, 1, 10)
    fig = map_figure(res, date, faction="rebels")
    (cells,) = find(fig.axes[0], "probability")
    table = prob[prob["date"] == date.isoformat()].set_index("town").loc[res.theatre.towns, "p_rebels"].to_numpy()
    assert np.allclose(cells.get_array(), table[cells.town_index])
    assert len(fig.axes) == 3  # probability, front spread, colour bar
    (spread,) = find(fig.axes[1], "front_spread")
    lay = layout(res.theatre)
    controllers = np.stack([r.history[(date - r.start).days] for r in res.runs])
    assert np.allclose(spread.share, [s for s in front_shares(lay, controllers) if s > 0])


def test_the_map_written_by_run_is_the_map_of_the_folder(toy_results, tmp_path):
    single, _ = toy_results
    out = make_map([single], out=tmp_path / "again.png")
    assert out.read_bytes() == (single / "control_map.png").read_bytes()


def test_map_cli_end_to_end_and_bad_dates(toy_results, tmp_path, capsys):
    single, ens = toy_results
    ok = run_cli("map", str(single), "--date", "2020-01-08", "--out", str(tmp_path / "a.png"))
    assert ok.returncode == 0 and (tmp_path / "a.png").stat().st_size > 10_000, ok.stderr
    # The rest in process (python -m sim exits with what main returns): a subprocess costs seconds.
    assert main(["map", str(ens), str(ens), "--date", "2020-01-08", "--out", str(tmp_path / "ab.png")]) == 0
    assert (tmp_path / "ab.png").exists()
    capsys.readouterr()
    assert main(["map", str(single), "--date", "2020-02-30"]) == 2
    assert "2020-02-30 does not exist: February 2020 has 29 days" in capsys.readouterr().err
    assert main(["map", str(single), "--date", "2021-01-01"]) == 2
    assert "outside the run (2020-01-01 .. 2020-01-15)" in capsys.readouterr().err


def test_an_ensemble_beside_a_single_run_is_refused(toy_results, tmp_path, capsys):
    # The same orange would mean "P(held) = 0.4" in one panel and "held" in the other.
    single, ens = toy_results
    capsys.readouterr()
    for pair in ((single, ens), (ens, single)):
        assert main(["map", *map(str, pair), "--date", "2020-01-08", "--out", str(tmp_path / "mixed.png")]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and not (tmp_path / "mixed.png").exists()
        assert f"{ens.name} is an ensemble of 4 runs" in err and f"{single.name} a single run" in err
        assert "--runs" in err, "says what to do"
    assert main(["map", str(single), str(single), "--date", "2020-01-08", "--out", str(tmp_path / "two.png")]) == 0


@pytest.mark.parametrize("late_start", ["2020-01-10", "2020-01-05"], ids=["a gap", "one starts on the day the other ends"])
def test_two_runs_with_no_simulated_day_in_common_are_refused(build, tmp_path, capsys, late_start):
    # The later start was taken as the date to map, outside the earlier run: a ValueError with a traceback, exit 1.
    # A run starting on the day another ends (campaign, then moscow) shares only that day's starting front, which
    # `compare` refuses too: the map drew it as "Baseline vs what-if".
    grid_theatre(build, ["regime"] * 3 + ["rebels"] * 6)
    early = write_run(simulate(load_scenario(build.scenario({"end": "2020-01-05"}, name="early.yaml"))), tmp_path / "early")
    late = write_run(simulate(load_scenario(build.scenario({"start": late_start, "end": "2020-01-15"}, name="late.yaml"))),
                     tmp_path / "late")
    capsys.readouterr()
    assert main(["map", str(early), str(late), "--out", str(tmp_path / "ab.png")]) == 2
    err = capsys.readouterr().err
    assert "share no simulated day" in err and "Traceback" not in err and not (tmp_path / "ab.png").exists()
    assert "early (2020-01-01 .. 2020-01-05)" in err and f"late ({late_start} .. 2020-01-15)" in err
    # compare stopped here only because the toy had no outcomes file; given one, it said "the two results share no
    # simulated day", not when each ran
    (build.root / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t22, set: calibration, kind: capture, description: T22 taken, town: T22, "
        "by: regime, reported: 2020-01-03, tolerance_days: 2, source: [test-claim]}\n")
    assert main(["compare", str(early), str(late)]) == 2, "compare draws the same line"
    err = capsys.readouterr().err
    assert "share no simulated day" in err and "Traceback" not in err
    assert "early (2020-01-01 .. 2020-01-05)" in err and f"late ({late_start} .. 2020-01-15)" in err


def test_reported_date_after_the_last_day_compares_the_last_day(toy_results):
    single, _ = toy_results
    res = load_results(single)
    reported = dt.date(2020, 1, 16)
    res.theatre.control[reported] = res.theatre.control[dt.date(2020, 1, 1)]
    try:
        assert resolve_date(res, "2020-01-16") == (dt.date(2020, 1, 15), reported)
        fig = map_figure(res, "2020-01-16")
        titles = [ax.get_title() for ax in fig.axes]
        assert "last day of the run" in titles[0] and titles[1].startswith("Reported, 16 Jan 2020")
        alike = int((res.runs[0].history[-1] == res.theatre.control[reported]).sum())
        assert f"{alike} of 9 towns alike" in titles[1]
    finally:
        del res.theatre.control[reported]


def test_animation_has_a_frame_per_day_and_captions(toy_results, tmp_path):
    from PIL import Image

    single, _ = toy_results
    (gif,) = animate(single, out=tmp_path / "c.gif", max_frames=5)
    # Pillow merges identical frames into one longer frame: count the frames' time instead.
    shown = 0
    with Image.open(gif) as im:
        for k in range(im.n_frames):
            im.seek(k)
            shown += im.info["duration"]
    # 15 days in at most 5 frames, spread over the run (1, 5, 8, 12 and 15 Jan), at 4 frames a second: every third
    # day and then the last made 6.
    assert shown == pytest.approx(5 * 250, abs=10)
    assert caption("capture", "T11", "rebels -> regime") == "T11 taken: Turkish-backed rebels → Government"
    assert caption("violation", "T11", "x") is None


def test_map_animate_shows_its_frames_progress_on_a_terminal(toy_results, tmp_path, monkeypatch):
    """`map --animate` of the campaign drew 60 frames for most of a minute without a word, on a terminal as in a
    pipe: it draws a bar of the frames on a terminal, as an ensemble draws one of its runs."""
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    single, _ = toy_results
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["map", str(single), "--animate", "--out", str(tmp_path / "shown.gif")]) == 0
    frames = len(pd.read_csv(single / "timeseries.csv"))  # a frame a day: fewer than 60
    assert f"{frames}/{frames}" in terminal.getvalue() and "frame" in terminal.getvalue(), terminal.getvalue()


def test_a_gif_named_without_animate_asks_for_animate(toy_results, tmp_path, capsys):
    """Round 55: ``map --out x.gif`` without ``--animate`` was told only that a map is .png, .svg or .pdf."""
    single, _ = toy_results
    assert main(["map", str(single), "--out", str(tmp_path / "x.gif")]) == 2
    err = capsys.readouterr().err
    assert "--animate" in err and err.count("\n") == 1 and not (tmp_path / "x.gif").exists(), err


def captions_drawn(monkeypatch, animation) -> list[str]:  # noqa: ANN001 - the module sim.viz.animation
    """A list that fills with the caption lines of the first five frames of the next animation, drawn by hand in
    place of saving it."""
    notes = []

    def draw_each_frame(anim, path, writer, progress=False):  # noqa: ANN001
        for k in range(5):
            anim._func(k)
            notes.extend(line for text in anim._fig.texts for line in text.get_text().splitlines())
        anim._draw_was_started = True  # drawn by hand: matplotlib would warn on deleting it
        return path

    monkeypatch.setattr(animation, "save_animation", draw_each_frame)
    return notes


def test_animation_captions_give_each_event_its_date(toy_results, monkeypatch):
    # A frame of a long run spans several days, and its captions listed the events of all of them undated.
    import re

    import sim.viz.animation as animation

    notes = captions_drawn(monkeypatch, animation)
    single, _ = toy_results
    animation.animate(single, out=single / "dated.gif", max_frames=5)  # 1, 5, 8, 12 and 15 Jan
    assert any("taken" in line for line in notes) and "6 Jan: Deal in force" in notes
    assert all(re.match(r"(\d{1,2} Jan: |… \d+ earlier, not shown$)", line) for line in notes), notes

    from sim.viz.animation import frame_captions

    log = pd.DataFrame([("2020-01-26", "capture", "T11", "regime;rebels", "rebels -> regime"),
                        ("2020-01-27", "violation", "T11", "regime", "x"),
                        ("2020-01-27", "post_establish", "T12", "turkey", ""),
                        ("2020-01-28", "capture", "T12", "regime;hts", "hts -> regime")],
                       columns=["date", "type", "town", "actors", "detail"])
    assert frame_captions(log, "2020-01-26", "2020-01-27") == [
        "26 Jan: T11 taken: Turkish-backed rebels → Government", "27 Jan: Turkish post set up at T12"]
    assert frame_captions(log, "2020-01-26", "2020-01-28", most=1) == [  # the latest: the day the frame's map shows
        "… 2 earlier, not shown", "28 Jan: T12 taken: HTS → Government"]


def test_an_ensembles_animation_captions_the_scenarios_events_and_its_runs_changes_of_hands(toy_results, monkeypatch):
    """An ensemble's frames were captioned with nothing: one could not tell from its animation when the deal came."""
    import sim.viz.animation as animation

    notes = captions_drawn(monkeypatch, animation)
    _, ens = toy_results
    animation.animate(ens, out=ens / "captioned.gif", max_frames=5)  # 1, 5, 8, 12 and 15 Jan
    # The scenario's events, logged in each of the 4 runs alike, are captioned as a single run's are.
    assert {"1 Jan: Government offensive starts", "5 Jan: Deal announced", "6 Jan: Deal in force"} <= set(notes), notes
    assert all(re.match(r"(\d{1,2} Jan: |… \d+ earlier, not shown$)", line) for line in notes), notes


def test_an_ensembles_log_has_what_most_runs_have_by_each_day_and_in_how_many(build):
    """Known answer on three hand-built runs: an event of every run is captioned as in one run; one of most runs on the
    day it has come in most, with how many; one of a single run not at all; a town when most runs' holder changes."""
    from sim.viz.animation import ensemble_log, frame_captions

    t = load_theatre(grid_theatre(build))
    t12 = t.towns.index("T12")
    start = np.array([0] * 3 + [2] * 6, np.int8)  # T12 the rebels'

    def history(taken_on: int | None, lost_on: int | None = None) -> list[np.ndarray]:
        days = [start.copy() for _ in range(4)]
        for day in range(4):
            if taken_on is not None and day >= taken_on and (lost_on is None or day < lost_on):
                days[day][t12] = 0
        return days

    deal = ("2020-01-02", "truce_in_force", "", "russia;turkey", "Deal")
    police = ("2020-01-03", "military_police", "T11", "russia", "Russian military police deployed")

    def broken(day: str) -> tuple:
        return (day, "truce_broken", "", "regime", "Deal: regime resumes its offensive")

    def patrol(day: str, stop: str = "T10") -> tuple:  # a weekly patrol, as far as it got: the same words week after week
        return (day, "patrol", "", "russia;turkey", f"stopped at {stop}")

    runs = [run_of(history(1, 3), [deal, broken("2020-01-02"), ("2020-01-02", "capture", "T12", "regime;rebels", "rebels -> regime"),
                                   patrol("2020-01-02"), patrol("2020-01-03", "T11"), police,
                                   ("2020-01-03", "post_establish", "T00", "turkey", "Lone post")]),
            run_of(history(2), [deal, patrol("2020-01-02"), patrol("2020-01-03", "T12"), police, broken("2020-01-04"),
                                patrol("2020-01-04", "T11")]),
            run_of(history(None), [deal, patrol("2020-01-02"), patrol("2020-01-03", "T12")])]
    follow = np.array([town in ("T11", "T12") for town in t.towns])  # the towns a frame names
    assert frame_captions(ensemble_log(runs, t.towns, follow), "2020-01-01", "2020-01-04", most=10) == [
        "2 Jan: Deal in force",
        "2 Jan: Joint patrol stopped at T10",
        # A patrol is the day's: two runs' patrols stopping at T11, each on its own day, are no patrol of most runs.
        "3 Jan: Joint patrol stopped at T12 (in 2/3 runs)",
        "3 Jan: Russian military police enter T11 (in 2/3 runs)",
        "3 Jan: T12 taken: Turkish-backed rebels → Government (in 2/3 runs)",
        "4 Jan: Deal: Government resumes its offensive (in 2/3 runs by then)",  # 1 of 3 runs on 2 Jan is not most
        "4 Jan: T12 taken: Government → Turkish-backed rebels (in 2/3 runs)"]  # retaken in the first run

def test_a_probability_map_says_hold_of_the_rebels_and_holds_of_one_side(toy_results, monkeypatch):
    """The ensemble map of the rebels was titled "Probability that Turkish-backed rebels holds each area": the verb
    agrees with the side's name (the rebels hold; HTS and the government hold*s*), in titles and colour bars alike."""
    import sim.viz.animation as animation
    from sim.viz.maps import compare_figure

    frames = []

    def keep(anim, path, writer, progress=False):  # noqa: ANN001
        frames.append(anim._fig)
        anim._draw_was_started = True  # not drawn here: matplotlib would warn on deleting it
        return path

    monkeypatch.setattr(animation, "save_animation", keep)

    _, ens = toy_results
    res = load_results(ens)
    for faction, words in [("rebels", "Turkish-backed rebels hold"), ("hts", "HTS holds"), ("regime", "the government holds")]:
        fig = map_figure(res, dt.date(2020, 1, 10), faction=faction)
        assert fig.axes[0].get_title() == f"Probability that {words} each area"
        assert fig.axes[2].get_xlabel() == f"share of the 4 runs in which {words} the town"
        both = compare_figure(res, res, dt.date(2020, 1, 10), faction=faction)
        assert both.axes[2].get_xlabel() == f"share of runs in which {words} the town"
        animate(ens, out=ens / "control_hold.gif", faction=faction, max_frames=2)
        assert frames.pop().axes[1].get_xlabel() == f"share of runs in which {words} the town"


def test_another_factions_shading_is_refused_where_no_ensemble_is_drawn(toy_results, capsys):
    """`map RUN --faction hts` wrote the run's plain map and said nothing (a walk-through's find): a run has no
    probability to shade. With an ensemble in the map the flag works (above); for the government it is the default."""
    single, ens = toy_results
    before = sorted(p.name for p in single.iterdir())
    for extra in ([], ["--animate"]):
        assert main(["map", str(single), "--faction", "hts", *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --faction hts: only an ensemble's map shades") and err.count("\n") == 1, err
    assert sorted(p.name for p in single.iterdir()) == before  # nothing drawn
    assert main(["map", str(single), "--faction", "regime", "--out", str(single / "regime.png")]) == 0
    assert main(["map", str(ens), "--faction", "hts", "--out", str(ens / "hts.png")]) == 0


def test_an_animation_refuses_a_date(toy_results, capsys):
    """`map RUN --animate --date D` wrote the animation of every day and said nothing of the date, even one outside the
    run: an animation shows every day, so the flag is refused, as --faction is where it does not apply."""
    single, _ = toy_results
    before = sorted(p.name for p in single.iterdir())
    for date in ("2020-01-08", "2021-01-01"):
        capsys.readouterr()
        assert main(["map", str(single), "--animate", "--date", date]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: --date {date}: an animation shows every day") and err.count("\n") == 1, err
    assert sorted(p.name for p in single.iterdir()) == before  # nothing drawn


@pytest.fixture
def what_if_pair(toy_results, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """The toy run and a copy of it as a what-if, their theatre reporting control on 16 January, the day after their
    last (as the real theatre reports it on 6 March, the day after the campaign's last)."""
    import shutil

    import sim.viz.maps as maps

    single, _ = toy_results
    other = shutil.copytree(single, tmp_path / "what-if")
    real = maps.load_results

    def reporting_16_january(path):  # noqa: ANN001, ANN202
        results = real(path)
        monkeypatch.setitem(results.theatre.control, dt.date(2020, 1, 16), results.theatre.control[D0])
        return results

    monkeypatch.setattr(maps, "load_results", reporting_16_january)
    return single, other


def test_a_baseline_and_what_if_map_is_named_by_the_day_it_draws(what_if_pair):
    """`map A B --date` of the day after the last wrote map_<that day>_vs_A.png, though it drew (and titled) the last
    day; without --date the file was map_last_vs_A.png. The file is named by the day drawn."""
    single, other = what_if_pair
    assert make_map([single, other], date="2020-01-16").name == f"map_2020-01-15_vs_{single.name}.png"
    assert make_map([single, other]).name == f"map_2020-01-15_vs_{single.name}.png"
    assert make_map([single, other], date="2020-01-08").name == f"map_2020-01-08_vs_{single.name}.png"


def test_an_ensemble_of_one_run_is_titled_like_a_single_run(tmp_path, build):
    """`run --runs 1` was mapped as "campaign, 1 runs", "share of the 1 runs", "Front line spread over 1 runs", with no
    seed: an ensemble of one run is titled by its seed, and says "run" of one."""
    grid_theatre(build, ["regime"] * 3 + ["rebels"] * 6)
    sc = load_scenario(build.scenario({"end": "2020-01-10", "seed": 5}))
    one = tmp_path / "one"
    run_ensemble(sc, 1, one, workers=1)
    res = load_results(one)
    assert res.is_ensemble
    fig = map_figure(res, dt.date(2020, 1, 8))
    words = [fig._suptitle.get_text(), fig.axes[1].get_title(), fig.axes[2].get_xlabel()]
    seed = res.runs[0].seed
    assert words[0].startswith(f"{sc.name}, seed {seed}: "), words
    assert not any("1 runs" in w for w in words), words
    assert words[1] == "Front line of the one run", words


def test_a_fifty_fifty_split_is_drawn_as_no_majority(build):
    """In an even ensemble a town held by the government in 2 runs of 4 and by the rebels in the other 2 was drawn as
    "most often held by" the government (np.argmax took the first of a tie), and counted as changed hands (>= 0.5)
    while posts in 2 of 4 runs were not drawn (> 0.5). A tie is drawn in a neutral grey with its own legend entry, and
    half the runs is no majority anywhere."""
    from types import SimpleNamespace

    from sim.viz.maps import changed_hands
    from sim.viz.style import TIE_COLOUR

    t = load_theatre(grid_theatre(build))
    regime, rebels = HOLDERS.index("regime"), HOLDERS.index("rebels")
    start = np.array([regime] * 3 + [rebels] * 6, np.int8)
    moved = start.copy()
    moved[4] = regime  # T11 taken by the government in half the runs
    runs = [run_of([start, start]), run_of([start, start]), run_of([start, moved]), run_of([start, moved])]
    day = D0 + dt.timedelta(days=1)
    es = ensemble_state(t, [], runs, day)
    fig = ensemble_figure(t, es, "regime", "x")
    dots = find(fig.axes[0], "towns")[0].get_facecolors()
    assert np.allclose(dots[4], to_rgba(TIE_COLOUR)) and np.allclose(dots[3], to_rgba(FACTION_COLOURS["rebels"]))
    assert np.allclose(dots[0], to_rgba(FACTION_COLOURS["regime"]))
    (cells,) = find(fig.axes[1], "territory")
    assert np.allclose(cells.get_facecolors()[list(cells.town_index).index(4)], tint(TIE_COLOUR, 0.18))
    labels = {x.get_text() for x in fig.legends[0].get_texts()}
    assert "Town most often held by: no one side (a tie)" in labels
    assert "Front line map's hatched areas: no one\nside holds the town in most runs (a tie)" in labels
    # Hatched over its pale grey, which HTS's pale grey and the ground around the theatre looked the same as.
    (ties,) = find(fig.axes[1], "ties")
    assert ties.get_hatch() == "////" and len(ties.get_paths()) >= 1
    assert not changed_hands(SimpleNamespace(runs=runs), day).any()  # half the runs is not most, as for posts
    # Without a tie, no entry for one.
    clear = ensemble_figure(t, ensemble_state(t, [], runs[:3], day), "regime", "x")
    assert not any("tie" in x.get_text() for x in clear.legends[0].get_texts()) and not find(clear.axes[1], "ties")


def test_make_maps_folders_and_date_and_animates_numbers_are_checked_in_python(toy_results, tmp_path):
    """From Python, ``make_map("results/run")`` read the string a character at a time ("/: not a results folder"), a
    Path raised "'PosixPath' object is not iterable", no folder or three raised TypeErrors from compare_figure, and
    ``date=5`` a TypeError from comparing dates; ``animate(fps=0)`` raised ZeroDivisionError and ``fps=nan`` numpy's
    ValueError. One folder is taken as it is (the docstring's "one results folder"); the rest are InputErrors."""
    single, _ = toy_results
    for given in (str(single), single):
        assert make_map(given, out=tmp_path / "one.png") == tmp_path / "one.png"
    for paths in ([], [single] * 3):
        with pytest.raises(InputError, match=f"one results folder, or two .baseline, what-if.; got {len(paths)}") as info:
            make_map(paths, out=tmp_path / "x.png")
        assert info.value.key == "paths"
    with pytest.raises(InputError, match="5 is not a date .expected YYYY-MM-DD.") as info:
        make_map([single], date=5, out=tmp_path / "x.png")
    assert info.value.key == "date"
    assert make_map([single], date=dt.date(2020, 1, 8), out=tmp_path / "d.png") == tmp_path / "d.png"
    for key, kwargs, words in [("fps", {"fps": 0}, "frames per second, a number above 0 and at most 50 (got 0)"),
                               ("fps", {"fps": float("nan")}, "above 0 and at most 50 (got nan)"),
                               ("fps", {"fps": "4"}, "above 0 and at most 50 (got '4')"),
                               ("max_frames", {"max_frames": 0}, "a whole number of at least 1 (got 0)"),
                               ("max_frames", {"max_frames": 2.5}, "a whole number of at least 1 (got 2.5)")]:
        with pytest.raises(InputError, match=re.escape(words)) as info:
            animate(single, out=tmp_path / "a.gif", **kwargs)
        assert info.value.key == key
    assert not list(tmp_path.glob("*.gif")) and not (tmp_path / "x.png").exists()


def test_a_baseline_and_what_if_map_past_their_last_shared_day_says_on_the_terminal_which_day_it_drew(what_if_pair, tmp_path,
                                                                                                      capsys):
    """`map A B --date` of the day after the last both simulate drew that last day and said so only by the date in its
    title and file name: the terminal now says it, in one line on stderr. A single folder's map of that day sets its
    last day beside the front reported on it (its title says so), and a date in the run draws itself: no note."""
    single, other = what_if_pair
    capsys.readouterr()
    assert main(["map", str(single), str(other), "--date", "2020-01-16", "--out", str(tmp_path / "ab.png")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"note: --date 2020-01-16 is after 2020-01-15, the last day both {single.name} and what-if simulate: "
                   "the map is of 2020-01-15"], err
    for args in ([single, "--date", "2020-01-16"], [single, other, "--date", "2020-01-08"], [single, other]):
        assert main(["map", *map(str, args), "--out", str(tmp_path / "x.png")]) == 0
        assert capsys.readouterr().err == "", args


def test_two_maps_side_by_side_list_their_corridor_once(build):
    """A comparison of Moscow with its joint patrols left out listed the corridor twice below its maps, once along the
    patrol route (A's) and once without (B's), as it would for two shares of runs in force: one band, one entry,
    which says where the two maps differ."""
    from sim.viz.corridor_key import one_corridor
    from sim.viz.drawing import probability_handles
    from sim.viz.figures import add_legend, side_by_side_figure
    from sim.viz.style import new_figure

    t = load_theatre(grid_theatre(build))
    deal = {"type": "agreement", "date": "2020-01-01", "effective": "2020-01-01", "name": "Deal", "corridor": {"road": "M9", "width_km": 3}}
    patrol = {"type": "joint_patrol", "date": "2020-01-01", "announced": "2020-01-01", "route": ["T10", "T12"], "road": "M9"}
    control = np.zeros(9, dtype=np.int8)
    control[3:6] = HOLDERS.index("rebels")  # the road's towns: without the patrols, the corridor is drawn off the government's ground
    held, broken = (run_of([control] * 2, ceasefire=["in force", c]) for c in ("in force", "broken"))
    day = D0 + dt.timedelta(days=1)

    def corridors(fig) -> list[str]:  # noqa: ANN001
        return [x.get_text() for x in fig.legends[0].get_texts() if "corridor" in x.get_text()]

    def side_by_side(*events: list) -> list[str]:
        return corridors(side_by_side_figure(t, [(run_state(t, e, held, day), "x") for e in events], "x"))

    def ensembles(*runs: list) -> list[str]:
        lay, fig = layout(t), new_figure()
        add_legend(fig, one_corridor([h for r in runs for h in probability_handles(
            lay, ensemble_state(t, [deal, patrol], r, day), intact=True, encircled=False)]), where="below")
        return corridors(fig)

    assert side_by_side([deal, patrol], [deal]) == [
        "M9 security corridor off the government's ground, along the joint-patrol route in the map on the left (3 km each side)"]
    assert side_by_side([deal, patrol], [deal, patrol]) == ["M9 security corridor along the joint-patrol route (3 km each side)"]
    assert ensembles([held] * 4, [held, held, held, broken]) == [
        "M9 security corridor along the joint-patrol route\n(agreement in force in 100% of runs on the left, 75% on the right)"]


@pytest.mark.parametrize("written, words", [
    ("2020-02-30", "'date': 2020-02-30 does not exist: February 2020 has 29 days"),
    ("2020-1-8", "'date': '2020-1-8' is not a date as written: write dates as YYYY-MM-DD, here 2020-01-08"),
    ("20200108", "'date': '20200108' is not a date: write dates as YYYY-MM-DD"),
])
def test_make_maps_date_is_read_as_the_command_lines_is(toy_results, tmp_path, written, words):
    """``make_map(folder, date="2020-02-30")`` said "'2020-02-30' is not a date (expected YYYY-MM-DD)" of a date written
    just so, where ``map --date`` says the day does not exist; and "20200108", which no flag or file takes, was drawn."""
    single, _ = toy_results
    with pytest.raises(InputError) as info:
        make_map([single], date=written, out=tmp_path / "x.png")
    assert str(info.value).startswith(words) and info.value.key == "date", str(info.value)
    assert not (tmp_path / "x.png").exists()
