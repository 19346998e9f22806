"""The browser app without a browser: its settings, saved what-ifs, the live model, and the page rendered
with Solara's test helpers (a slider moved, Reset, steps, an ensemble, the date slider, a save, an error).

Skipped where the app extra is not installed. The real browser test is tests/test_app_browser.py.
"""

from __future__ import annotations

import os
import datetime as dt
import html
import re
import time

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from sim.analysis.results import RunData, load_results  # noqa: E402
from sim.app.figures import LiveMap, LiveSeries, breaks, live_map_state, png  # noqa: E402
from sim.app.live import WhatIfModel, live_run, run_replicates  # noqa: E402
from sim.app.breaks import BREAK, PART, breakable, path_html  # noqa: E402
from sim.app.compare_words import CHANGE  # noqa: E402 - "B − A", whole on its line
from sim.app.run_view import held_line, live_map_title, recent_captures  # noqa: E402
from sim.app.settings import (  # noqa: E402
    Controls,
    Settings,
    base_scenario,
    build,
    load_controls,
    parameter_bounds,
    parameter_help,
    path_words,
    relative_to_root,
    scenario_files,
    sliders_for,
    toggle_available,
)
from sim.app.whatif import save_whatif  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.experiments.run import simulate  # noqa: E402
from sim.io.scenario import load_scenario  # noqa: E402
from sim.io.schema import Scenario  # noqa: E402
from sim.names import date_words  # noqa: E402

from .app_page import button, images, page, strong, texts, unbroken, wait_for  # noqa: E402, F401 - page: a fixture
from .conftest import ROOT, shipped_scenarios  # noqa: E402

CONTROLS = load_controls(ROOT / "scenarios" / "app" / "controls.yaml")


def scenario(path: str) -> Scenario:
    return base_scenario(path, ROOT)


# ------------------------------------------------------------------ settings


def test_slider_ranges_are_the_schemas():
    sc = scenario("scenarios/campaign.yaml")
    assert parameter_bounds(sc, "regime.force") == (0.0, 2000.0, False)
    assert parameter_bounds(sc, "combat.withdraw_ratio") == (0.1, 100.0, False)
    assert parameter_bounds(sc, "events.jan-truce.compliance.regime") == (0.0, 1.0, False)
    assert parameter_bounds(sc, "events.spring-shield.intensity") == (0.0, 1.0, False)
    assert parameter_bounds(sc, "hts.protest_days") == (1.0, 365.0, True)
    for s in sliders_for(CONTROLS, sc):
        assert s.low <= s.value <= s.high, s
        assert (s.low, s.high) == parameter_bounds(sc, s.path)[:2]


def test_a_slider_s_help_is_the_schema_s_description_with_whose_it_is():
    # Read through sim.io.paths.declared_field, the field declared_range bounds the slider by.
    sc = scenario("scenarios/campaign.yaml")
    assert parameter_help(sc, "regime.commit") == "Government: share of a group's force thrown into its assaults each day"
    assert parameter_help(sc, "combat.lethality").startswith("Combat: daily losses inflicted per unit")
    assert parameter_help(sc, "events.jan-truce.compliance.regime") == (
        "January 2020 Idlib truce (10 January 2020): daily chance each armed faction keeps to it (here: Government)")
    assert parameter_help(scenario("scenarios/moscow.yaml"), "displaced_at_start.taken").startswith("Displaced at start: ")
    with pytest.raises(ValueError, match="has no 'displaced_at_start'"):  # campaign.yaml gives no such block
        parameter_help(sc, "displaced_at_start.taken")
    without = scenario("scenarios/whatif/no_moscow_agreement.yaml")
    with pytest.raises(ValueError, match="has no event 'jan-truce'"):
        parameter_help(without, "events.jan-truce.restraint")
    # A path the scenario has nothing to name by (a what-if's change of an event it removed) stays a path.
    assert path_words(Controls({}, ()), "events.jan-truce.restraint", without) == "events.jan-truce.restraint"


def test_every_control_applies_somewhere_and_toggles_follow_the_scenario():
    # Every shipped scenario and what-if, not whatever else is in their folders (a user's scratch file)
    shipped = [relative_to_root(f, ROOT) for folder in ("", "whatif", "calibrated") for f in shipped_scenarios(folder)]
    assert {"scenarios/campaign.yaml", "scenarios/moscow.yaml", "scenarios/whatif/jan_truce_holds.yaml"} <= set(shipped)
    assert set(shipped) <= set(scenario_files(ROOT)), "the picker offers each"
    scenarios = [scenario(f) for f in shipped]
    used = {s.path for sc in scenarios for s in sliders_for(CONTROLS, sc)}
    assert used == {p for paths in CONTROLS.sliders.values() for p in paths}
    campaign, moscow = scenario("scenarios/campaign.yaml"), scenario("scenarios/moscow.yaml")
    assert [t.id for t in CONTROLS.toggles if not toggle_available(t, campaign)] == ["no-joint-patrols"]
    assert [t.id for t in CONTROLS.toggles if toggle_available(t, moscow)] == ["no-joint-patrols"]
    with pytest.raises(InputError, match="does not apply"):
        build(Settings("scenarios/moscow.yaml", toggles=frozenset({"no-spring-shield"})), CONTROLS, ROOT)


def test_settings_build_the_scenario_a_whatif_file_would():
    s = Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True)
    s = s.with_toggle("no-saraqib-posts", True).with_toggle("truce-kept", True).with_value("russia.air_power", 1.2)
    sc = build(s, CONTROLS, ROOT)
    ids = {e.id for e in sc.events}
    assert "spring-shield" not in ids and "post-tronba" not in ids and "saraqib-push" in ids
    truce = next(e for e in sc.events if e.id == "jan-truce")
    assert (truce.restraint, truce.compliance["regime"], truce.compliance["hts"]) == (0.9, 0.995, 0.3)
    assert sc.factions.russia.air_power == 1.2
    moved = s.with_value("events.spring-shield.intensity", 0.5)  # an event the toggle removes: the slider is moot
    assert build(moved, CONTROLS, ROOT) == build(s, CONTROLS, ROOT)


def test_a_saved_whatif_extends_the_scenario_and_reruns_the_same(tmp_path):
    s = Settings("scenarios/whatif/no_saraqib_posts.yaml").with_value("regime.commit", 0.6).with_toggle("no-spring-shield", True)
    file = save_whatif(s, CONTROLS, tmp_path, "whatif_test", ROOT)
    text = file.read_text()
    assert "extends: " in text and "no_saraqib_posts.yaml" in text and "remove_events:\n- spring-shield" in text
    before = load_scenario("scenarios/whatif/no_saraqib_posts.yaml").factions.regime.commit
    assert "commit: 0.6" in text and f"How hard the government attacks (regime.commit): {before:g} → 0.6" in text
    loaded = load_scenario(file)
    assert loaded.name == "whatif_test"
    mine = build(s, CONTROLS, ROOT, name="whatif_test")
    end = loaded.start + dt.timedelta(days=20)

    def short(scenario: Scenario) -> Scenario:  # 20 days, without the events after them (refused outside the window)
        return scenario.model_copy(update={"end": end, "events": [e for e in scenario.events if e.date <= end]})

    a = simulate(short(loaded))
    b = simulate(short(mine))
    assert np.array_equal(a.history, b.history) and a.timeseries.equals(b.timeseries)
    with pytest.raises(InputError, match="exists already"):
        save_whatif(s, CONTROLS, tmp_path, "whatif_test", ROOT)
    with pytest.raises(InputError, match="not a usable name"):
        save_whatif(s, CONTROLS, tmp_path, "../escape", ROOT)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "scenarios").symlink_to(ROOT / "scenarios")  # a project folder of its own
    inside = save_whatif(s, CONTROLS, tmp_path / "project" / "whatif", "shared", tmp_path / "project")
    assert "# Rerun: python -m sim run whatif/shared.yaml --runs 40" in inside.read_text(), "no home folder in a shared file"
    assert f"# Rerun: python -m sim run {file.resolve()} --runs 40" in text, "outside the project: where it is"
    assert text.startswith("# A what-if. Saved from the browser app"), "no placeholder heading for an untitled what-if"
    titled = save_whatif(s, CONTROLS, tmp_path, "titled", ROOT, title="What if the army waited?").read_text()
    assert titled.startswith("# What if the army waited? Saved from the browser app"), titled[:80]
    # A downloaded copy says where it belongs: its extends is relative to the folder it was written for.
    assert "# Keep it in whatif/: its `extends` is relative to that folder." in inside.read_text()
    assert f"# Keep it in {tmp_path.resolve()}/: its `extends`" in text
    # The name of the scenario it extends is refused: the two would share result folders, and the rerun would fail.
    with pytest.raises(InputError, match="is the name of the scenario it extends"):
        save_whatif(s, CONTROLS, tmp_path, "whatif_no_saraqib_posts", ROOT)


def test_a_whatif_saved_under_a_typed_name_is_titled_by_its_description_not_its_file_s_name(tmp_path):
    """Saved as 'no spring shield (test)' and picked again, a what-if was titled 'no_spring_shield_test' on every map and
    heading: its file's name, since only a name starting with 'whatif_' was taken for a what-if's. It is titled as the
    shipped what-ifs are, by its description, which the typed name heads; the name is the file's, for its folders."""
    from sim.app.live import Built
    from sim.app.whatif import title_of

    s = Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True)
    save = tmp_path / "seminar"  # a --save-dir: the app's what-if folder, outside the project
    file = save_whatif(s, CONTROLS, save, "no_spring_shield_test", ROOT, title="no spring shield (test)")
    picked = Settings(relative_to_root(file, ROOT))
    assert load_scenario(file).description.startswith("no spring shield (test): ")
    assert title_of(picked, CONTROLS, ROOT, (save,)) == "what-if: no spring shield (test)…"
    assert Built.of(picked, CONTROLS, ROOT, (save,)).title == "what-if: no spring shield (test)…", "the One run tab's"
    # Saved in the project's what-if folder, as the app saves by default: found there without being told.
    (tmp_path / "project" / "scenarios" / "whatif").mkdir(parents=True)
    (tmp_path / "project" / "scenarios" / "campaign.yaml").symlink_to(ROOT / "scenarios" / "campaign.yaml")
    (tmp_path / "project" / "scenarios" / "jan_truce.yaml").symlink_to(ROOT / "scenarios" / "jan_truce.yaml")
    (tmp_path / "project" / "scenarios" / "common").symlink_to(ROOT / "scenarios" / "common")
    inside = save_whatif(s, CONTROLS, tmp_path / "project" / "scenarios" / "whatif", "Army_waited", tmp_path / "project",
                         title="What if the army waited?")
    assert title_of(Settings("scenarios/whatif/Army_waited.yaml"), CONTROLS, tmp_path / "project") == \
        "what-if: What if the army waited?…", inside
    # A recorded scenario is its name, though it extends another (campaign.yaml extends jan_truce.yaml).
    assert title_of(Settings("scenarios/campaign.yaml"), CONTROLS, ROOT, (save,)) == "campaign"


def test_a_whatif_file_changed_in_the_sidebar_is_titled_by_both_its_own_change_and_the_sidebar_s():
    """jan_truce_holds.yaml with No Spring Shield ticked was titled 'what-if: No Spring Shield' on every figure, as if the
    campaign had been changed alone: a downloaded figure did not say the truce was kept in it."""
    from sim.app.whatif import TITLE_CHARACTERS, title_of

    s = Settings("scenarios/whatif/jan_truce_holds.yaml").with_toggle("no-spring-shield", True)
    title = title_of(s, CONTROLS, ROOT)
    assert title.startswith("what-if: The January 2020") and title.endswith(" and 1 more change"), title
    assert len(title.removeprefix("what-if: ")) <= TITLE_CHARACTERS, title
    assert title_of(Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True), CONTROLS, ROOT) == \
        "what-if: No Spring Shield", "a recorded scenario changed: its change alone, as before"


def test_a_whole_number_a_toggle_or_an_integer_slider_sets_is_saved_as_one(tmp_path):
    """The controls file's toggle values are read as floats, and an integer slider moved to its end snaps to its float
    bound: the what-if file said `protest_days: 3.0` and `frontage: 20.0`, which the simulator refuses (whole numbers are
    read strictly), so the save failed."""
    (tmp_path / "controls.yaml").write_text("sliders: {}\ntoggles:\n  - id: short-sit-ins\n    label: Short sit-ins\n"
                                            "    set: {hts.protest_days: 3}\n")
    controls = load_controls(tmp_path / "controls.yaml")
    s = Settings("scenarios/campaign.yaml").with_toggle("short-sit-ins", True).with_value("events.zawiya-push.frontage", 20.0)
    saved = load_scenario(save_whatif(s, controls, tmp_path, "short_sit_ins", ROOT))
    assert saved.factions.hts.protest_days == 3
    assert next(e for e in saved.events if e.id == "zawiya-push").frontage == 20


def test_a_saved_whatif_of_a_scenario_seeded_near_the_last_seed_suggests_a_rerun_that_runs(tmp_path, capsys, monkeypatch):
    """Its 'Rerun' line was `--runs 40` from the scenario's seed, which the command refuses past 2**63 - 40: it now
    gives the --seed whose 40 replicates end with the scenario's, as a single run's summary does."""
    import shlex

    from sim.cli import main

    last = 2**63 - 1
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "late.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'moscow.yaml'}\nname: late\nseed: {last}\n")
    s = Settings("scenarios/late.yaml").with_value("regime.commit", 0.6)
    text = save_whatif(s, CONTROLS, tmp_path / "whatif", "later", tmp_path).read_text()
    rerun = next(line for line in text.splitlines() if line.startswith("# Rerun: ")).removeprefix("# Rerun: ")
    assert rerun == f"python -m sim run whatif/later.yaml --runs 40 --seed {last - 39}"
    monkeypatch.chdir(tmp_path)  # the project's folder, where the app runs and the command is given
    assert main([*shlex.split(rerun)[3:], "--days", "2", "--workers", "1", "-q", "--out", "e"]) == 0, capsys.readouterr().err
    assert load_results(tmp_path / "e").runs[-1].seed == last  # the ensemble holds the scenario's own seed


def read(markdown: str) -> str:
    """Markdown as a reader reads it, its user's strings (:func:`sim.app.breaks.exactly`) as they are."""
    return html.unescape(unbroken(markdown))


def test_a_whatif_that_sets_its_seed_or_its_window_says_so_and_is_not_said_to_share_the_seeds(tmp_path):
    """A what-if of jan_truce.yaml setting only `seed: 7` was described on the What-if tab as 'changes from A: nothing
    that this page can name — both 3 replicates, same seeds', above 'independent replicates': only the factions, combat,
    civilians and events were compared, and 'same seeds' was said of every comparison."""
    from sim.app.ensemble import comparison_lead, ensemble_of_settings
    from sim.app.file_changes import file_changes

    parent = ROOT / "scenarios" / "jan_truce.yaml"
    (tmp_path / "seeded.yaml").write_text(f"extends: {parent}\nname: seeded\nseed: 7\n")
    (tmp_path / "longer.yaml").write_text(f"extends: {parent}\nname: longer\nend: 2020-02-05\n")
    assert file_changes(str(tmp_path / "seeded.yaml"), CONTROLS, ROOT).lines == ("seed: 20200112 → 7",)
    assert file_changes(str(tmp_path / "longer.yaml"), CONTROLS, ROOT).lines == ("end: 31 January 2020 → 5 February 2020",)
    ens = ensemble_of_settings(Settings(str(tmp_path / "seeded.yaml")), CONTROLS, 2, ROOT, whatif_dirs=(tmp_path,))
    lead = read(comparison_lead(ens, ens.last))
    assert not ens.comparison.paired
    assert "which changes from A: seed: 20200112 → 7 — both 2 replicates, different seeds;" in lead, lead
    paired = ensemble_of_settings(Settings("scenarios/jan_truce.yaml").with_value("regime.commit", 0.6), CONTROLS, 2, ROOT)
    assert paired.comparison.paired and "both 2 replicates, same seeds;" in read(comparison_lead(paired, paired.last))
    # Seeds 20200113-15 against A's 20200112-14: paired on the two both ran, and said so (it read "different seeds").
    (tmp_path / "next.yaml").write_text(f"extends: {parent}\nname: next\nseed: 20200113\n")
    near = ensemble_of_settings(Settings(str(tmp_path / "next.yaml")), CONTROLS, 3, ROOT, whatif_dirs=(tmp_path,))
    assert near.comparison.paired and "both 3 replicates, paired on the 2 seeds both ran;" in read(comparison_lead(near, near.last))


def test_a_whatif_that_changes_the_displaced_at_the_start_says_so_and_the_sidebar_can_set_their_shares(tmp_path):
    """A what-if of moscow.yaml giving `displaced_at_start: {taken: 0.3}` ran other numbers than its parent, and the
    sidebar and the What-if tab listed nothing it changes: only the factions, combat, civilians and events were compared.
    Set from the sidebar's settings, the share was written under `factions:` and refused as no parameter."""
    from sim.app.file_changes import file_changes
    from sim.app.settings import changes
    from sim.app.whatif import whatif_text

    parent = ROOT / "scenarios" / "moscow.yaml"
    taken = "Displaced at the start: share from the towns taken before it"  # its slider's label (scenarios/app/controls.yaml)
    (tmp_path / "fewer.yaml").write_text(f"extends: {parent}\nname: fewer\n"
                                         "displaced_at_start: {taken: 0.3, source: [moscow-protocol]}\n")
    assert file_changes(str(tmp_path / "fewer.yaml"), CONTROLS, ROOT).lines == (
        f"{taken} (displaced_at_start.taken): 0.58 → 0.3",)  # its source is no change to the run
    (tmp_path / "none.yaml").write_text(f"extends: {parent}\nname: none\ndisplaced_at_start: null\n")
    gone = file_changes(str(tmp_path / "none.yaml"), CONTROLS, ROOT)
    assert [(p, a, b) for p, a, b in gone.values if p != "displaced_at_start.since"] == [
        ("displaced_at_start.near_front", 0.58, None), ("displaced_at_start.taken", 0.58, None)]
    assert f"{taken} (displaced_at_start.taken): 0.58 → none" in gone.lines, gone.lines

    s = Settings("scenarios/moscow.yaml").with_value("displaced_at_start.near_front", 0.4)
    assert build(s, CONTROLS, ROOT).displaced_at_start.near_front == 0.4
    assert changes(s, CONTROLS, ROOT, short=True) == ["displaced_at_start.near_front: 0.58 → 0.4"]
    text = whatif_text(s, CONTROLS, tmp_path / "nearer.yaml", "nearer", ROOT)
    assert "displaced_at_start:\n  near_front: 0.4\n" in text and "factions" not in text, text
    loaded = load_scenario(save_whatif(s, CONTROLS, tmp_path, "nearer", ROOT))  # save_whatif checks it reruns the same
    assert (loaded.displaced_at_start.near_front, loaded.displaced_at_start.taken) == (0.4, 0.58)


def test_a_whatif_made_in_the_sidebar_is_not_named_as_its_baseline():
    """With a toggle ticked on the campaign, the What-if tab read 'A = scenarios/campaign.yaml, B =
    scenarios/campaign.yaml, which changes from A: No Spring Shield': the same file named for both, B seemed to be A."""
    from sim.app.ensemble import comparison_lead, ensemble_of_settings

    ens = ensemble_of_settings(Settings("scenarios/jan_truce.yaml").with_value("regime.commit", 0.6), CONTROLS, 2, ROOT)
    lead = read(comparison_lead(ens, ens.last))
    assert lead.startswith("A = **scenarios/jan_truce.yaml** as it is, B = the same with the sidebar's changes: "
                           "How hard the government attacks"), lead


def test_the_live_model_is_the_run_and_replicates_are_the_clis():
    s = Settings("scenarios/campaign.yaml")
    model = WhatIfModel(s, CONTROLS, replicate=2, root=ROOT)
    for _ in range(30):
        model.step()
    run = live_run(model)
    whole = simulate(model.spec, seed=model.spec.seed + 2)
    assert len(run.history) == 31 and np.array_equal(run.history, whole.history[:31])
    assert list(run.timeseries["towns_regime"]) == list(whole.timeseries["towns_regime"][:31])
    reps = run_replicates(model.spec, 3, every=2)
    assert [r.seed for r in reps] == [model.spec.seed + i for i in range(3)]
    assert np.array_equal(reps[2].history, whole.history)


def test_an_ensemble_of_one_replicate_is_the_one_run_runs_1_writes(tmp_path, capsys):
    """With the Replicates slider at 1 the Ensemble tab drew one run's control map under a 'Probability map (PNG)'
    download: `run --runs 1` writes an ensemble, and `map` draws it as every ensemble, a probability map."""
    from sim.cli import main
    from sim.viz.maps import map_figure
    from sim.viz.plots import towns_held_figure

    from sim.app.ensemble import ensemble_of_settings

    ens = ensemble_of_settings(Settings("scenarios/jan_truce.yaml"), CONTROLS, 1, ROOT)
    assert main(["run", str(ROOT / "scenarios" / "jan_truce.yaml"), "--runs", "1", "--workers", "1", "-q",
                 "--out", str(tmp_path / "e")]) == 0, capsys.readouterr().err
    written = load_results(tmp_path / "e")
    assert np.array_equal(map_pixels(png(map_figure(ens.results), None)), map_pixels(png(map_figure(written), None)))
    assert np.array_equal(map_pixels(png(towns_held_figure(ens.results), None)),
                          map_pixels(png(towns_held_figure(written), None)))


def whole_map(live: LiveMap, state, changed=None) -> bytes:  # noqa: ANN001 - a MapState, the towns that changed hands
    """The live map and its legend as one PNG."""
    return png(live.draw(state, changed))


def fresh_map(model: WhatIfModel, drawn=whole_map):  # noqa: ANN001, ANN201
    """The live map of the model's last day, drawn on a new figure: one PNG, or the page's ``LiveMap.pieces``."""
    return drawn(LiveMap(model.theatre), *live_map_state(model.theatre, model.events_json, live_run(model))[1:])


def test_the_live_map_kept_from_day_to_day_draws_what_a_new_figure_does():
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    kept = LiveMap(model.theatre)
    compared = 0
    for day in range(85):
        if day in (0, 12, 30, 36, 60, 84):
            before = kept.figure
            run = live_run(model)
            drawn = whole_map(kept, *live_map_state(model.theatre, model.events_json, run)[1:])
            if kept.figure is before:  # the day's layers swapped on the kept figure
                assert drawn == fresh_map(model), f"day {day}"
                compared += 1
        model.step()
    assert compared >= 2, "the kept figure was never reused"


def largest_difference(a: bytes, b: bytes) -> int:
    """The largest difference, in levels of 255, between two PNGs of one size, pixel by pixel and colour by colour."""
    import io

    from PIL import Image

    first, second = (np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int) for png in (a, b))
    assert first.shape == second.shape
    return int(np.abs(first - second).max())


def test_a_map_s_pieces_take_the_figure_s_title_alone_never_the_top_of_a_legend_beside_the_map():
    """A map narrowed by a long legend at its right sits lower than the legend's top (moscow.yaml's run map, with the
    corridor's entries): the rows above the map were taken for the figure's title, and the page showed the legend's
    first four entries as a picture of their own over the map."""
    from io import BytesIO

    from matplotlib.lines import Line2D
    from PIL import Image

    from sim.app.figures import pieces
    from sim.viz.figures import add_legend, map_panels

    def figure(suptitle: bool):  # noqa: ANN202 - a map figure: one map of fixed aspect, its legend at its right
        fig, (ax,) = map_panels(1)
        ax.set(xlim=(0, 1), ylim=(0, 0.8), aspect="equal", title="the map's own title")
        add_legend(fig, [Line2D([], [], label=f"an entry of the legend, number {i}, long enough to narrow the map")
                         for i in range(14)])
        if suptitle:
            fig.suptitle("the figure's title", fontsize=12)
        return fig

    alone = pieces(figure(suptitle=False))
    assert (len(alone.title), len(alone.maps), len(alone.keys)) == (0, 1, 1)
    fig = figure(suptitle=True)
    titled = pieces(fig)
    title = Image.open(BytesIO(titled.title[0]))
    box = fig.get_suptitle() and fig._suptitle.get_window_extent(fig.canvas.get_renderer())
    assert len(titled.title) == 1 and abs(title.width - box.width) <= 8 and abs(title.height - box.height) <= 8, title.size


def test_a_map_s_legend_piece_holds_none_of_the_map_beside_it():
    """A legend that starts within the cut's margin of the map's right edge (moscow.yaml's run map) took a sliver of the
    map's frame into its picture: a grey line down its left side, from the map's top down."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from PIL import Image

    from sim.app.figures import pieces

    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set(xticks=[], yticks=[])
    fig.subplots_adjust(left=0.1, right=0.6, top=0.7, bottom=0.1)  # the map's right edge at 360 px, its top below the legend's
    fig.legend(handles=[Line2D([], [], color="k", label=f"entry {i}") for i in range(12)], loc="upper left",
               bbox_to_anchor=(0.6 + 2 / 600, 0.95), borderaxespad=0, borderpad=0, frameon=False)
    inked = (np.asarray(Image.open(BytesIO(pieces(fig).keys[0])).convert("RGB")) != 255).any(axis=2)
    handles = inked[:, 8]  # the rows of the legend's line handles, drawn from its left edge (each a few rows)
    assert 12 <= handles.sum() <= 12 * 6
    edge = inked[:, :4].any(axis=1) & ~handles  # the piece's margin, where the map's frame was
    assert not edge.any(), f"{int(edge.sum())} rows of the map's edge"


def test_the_time_series_kept_from_day_to_day_draws_what_a_new_figure_does():
    """To within a few levels of rounding: constrained layout starts from the axes' last positions, so the kept figure's
    can land a millionth of the figure off a new one's (day 41 of jan_truce): a sloping curve's anti-aliased edge
    then differs by a few levels of 255 (5 in about 1,500 pixels, in two columns of panels). A curve left from
    yesterday differs by 56 or more there (64 on day 41)."""
    model = WhatIfModel(Settings("scenarios/jan_truce.yaml"), CONTROLS, root=ROOT)
    kept = LiveSeries(model.theatre, model.spec)
    for day in range(50):
        if day in (5, 41, 49):  # before the truce, the day it is announced, after it broke or held
            run = live_run(model)
            assert largest_difference(png(kept.draw(run)), png(LiveSeries(model.theatre, model.spec).draw(run))) <= 8, f"day {day}"
        model.step()


def test_the_records_points_on_the_time_series_are_drawn_whole():
    """The front of 6 March, one day inside the axes' right edge, was drawn as half diamonds: the axes cut them."""
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    figure = LiveSeries(model.theatre, model.spec).draw(live_run(model))
    figure.canvas.draw()
    top = figure.axes[0]
    box = top.get_window_extent()
    reported = [line for line in top.get_lines() if line.get_marker() == "D"]
    assert len(reported) == 6, "three sides on 1 December and on 6 March"
    for line in reported:
        x, _ = top.transData.transform((mdates.date2num(line.get_xdata()[0]), line.get_ydata()[0]))
        half = (line.get_markersize() + line.get_markeredgewidth()) / 2 * figure.dpi / 72
        inside = box.x0 <= x - half and x + half <= box.x1
        assert inside or not line.get_clip_on(), (line.get_xdata()[0], x, half, box.x0, box.x1)


def test_the_time_series_writes_its_dates_as_the_figures_do_and_counts_deaths_in_whole_soldiers():
    """The run tab's time series was the one figure with ISO dates on its axis ("2019-12-15"; the plots read "Dec, 15,
    Jan" over a line naming the window), and its Turkish-deaths axis read 0.2, 0.4, ... while none had died."""
    import re

    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    for _ in range(3):
        model.step()
    figure = LiveSeries(model.theatre, model.spec).draw(live_run(model))
    figure.canvas.draw()
    top, _, low, twin = figure.axes
    dates = [t.get_text() for t in low.get_xticklabels()]
    assert dates and not any(re.search(r"\d{4}-\d\d", d) for d in dates), dates
    assert "Jan" in dates and "Mar" in dates, dates
    assert low.get_xlabel() == "date (1 Dec 2019 – 5 Mar 2020)"
    deaths = [t.get_text() for t in twin.get_yticklabels() if t.get_text()]
    assert deaths and all(re.fullmatch(r"\d+", d) for d in deaths), deaths


def smallest_text(figure) -> float:  # noqa: ANN001
    """The size of the smallest text the figure draws, in points."""
    from matplotlib.text import Text

    figure.canvas.draw()
    return min(t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text())


def test_the_time_series_text_is_8_points_or_more_and_each_panel_a_phone_s_width():
    """On a phone's page (396 px) the time series, one picture 640 px wide scaled to fit, had its ticks 6 px high and
    its ceasefire key 5: at 8 points (11 px) or more, in pictures at most 480 px wide, it reads at 9 px or more."""
    from PIL import Image
    from io import BytesIO

    model = WhatIfModel(Settings("scenarios/whatif/jan_truce_holds.yaml"), CONTROLS, root=ROOT)  # a long title
    for _ in range(5):
        model.step()
    run = live_run(model)
    run.timeseries["ceasefire"] = ["none"] * 3 + ["announced", "announced", "broken"]  # the strip's key shown too
    series = LiveSeries(model.theatre, model.spec, model.title)
    assert smallest_text(series.draw(run)) >= 8
    widths = [Image.open(BytesIO(picture)).width for picture in series.pieces(run).all()]
    assert len(widths) >= 3 and max(widths) <= 480, widths  # the title, and a picture of each column


def test_the_week_s_changes_of_hands_name_the_factions_as_every_other_output_does():
    """The run tab's list reads "HTS → Government", as the summary, the plots and the animation do, not the codes."""
    events = pd.DataFrame([
        {"date": "2020-01-30", "type": "capture", "town": "Maar Hattat", "actors": "regime;rebels", "detail": "rebels -> regime (assault)"},
        {"date": "2020-01-31", "type": "capture", "town": "Hish", "actors": "regime;hts", "detail": "hts -> regime (abandoned)"},
    ])
    run = RunData(1, dt.date(2020, 1, 25), np.zeros((8, 2), np.int8), events, pd.DataFrame({"date": []}))
    assert recent_captures(run, 7) == ["- 30 January 2020: **Maar Hattat** (Turkish-backed rebels → Government, assault)",
                                       "- 31 January 2020: **Hish** (HTS → Government, abandoned)"]


def test_the_run_s_line_counts_the_displaced_and_the_turkish_dead_from_the_scenario_s_start():
    # A Moscow run starts on 5 March with nobody counted as displaced: "displaced 0" alone read as if nobody had fled
    # the war (some 960,000 had by then); the CLI's summary says "since 5 Mar 2020", and so must the page (its date
    # written as the page writes dates: "1 Dec 2019" stood under "Day 0 of 95: 1 December 2019").
    model = WhatIfModel(Settings("scenarios/moscow.yaml"), CONTROLS, root=ROOT)
    line = held_line(live_run(model))
    assert "displaced since 5 March 2020 **0**" in line and "Turkish deaths since 5 March 2020 **0**" in line
    assert "gone home" not in line, line  # nobody yet
    # Under the ceasefire people go home (round 71): the line said only "displaced 0" while a quarter of a million did.
    for _ in range(30):
        model.step()
    run = live_run(model)
    home = run.timeseries["returned"].iloc[-1]
    assert home > 0 and f"displaced since 5 March 2020 **0**; gone home since 5 March 2020 **{home:,.0f}**; " in held_line(run)


def test_the_run_s_line_names_the_factions_as_the_map_under_it_does():
    # "Towns held: government 18, HTS 108, rebels 65" stood over a map whose legend, the changes of hands under it, the
    # Ensemble tab and the CLI's summary all say "Turkish-backed rebels": "rebels" alone may be read as HTS too.
    line = held_line(live_run(WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)))
    assert line.startswith("Towns held: Government **18**, HTS **108**, Turkish-backed rebels **65**; "), line


def test_the_ceasefire_strip_shows_a_truce_that_broke_the_day_it_took_effect():
    states = np.array(["none", "announced", "announced", "broken", "broken", "in force", "broken"])
    assert breaks(states) == [3, 6]
    assert breaks(np.array(["none", "in force", "in force"])) == []
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    for _ in range(5):
        model.step()
    run = live_run(model)
    run.timeseries["ceasefire"] = ["none"] * 3 + ["announced", "announced", "broken"]
    strip = LiveSeries(model.theatre, model.spec).draw(run).axes[1]
    keyed = [t.get_text() for t in strip.get_legend().get_texts()]
    assert keyed == ["announced", "broken"]  # no "in force" key for a truce never in force
    (mark,) = strip.get_lines()
    assert mark.get_xdata()[0] == np.datetime64(run.timeseries["date"].iloc[-1], "D")


# ------------------------------------------------------------------ the page


def test_the_page_steps_a_run_and_a_slider_changes_it(page):
    box, rc, _ = page
    assert "Day <strong>0</strong> of 95" in texts(box)
    first = images(rc)
    maps = len(fresh_map(WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT), LiveMap.pieces).all())
    button(rc, "Step").click()
    assert "Day <strong>1</strong> of 95" in texts(box)
    # The map and its legend, then the time series' pictures (its title and columns, in a row of their own).
    assert images(rc)[maps:] != first[maps:], "the time series is redrawn after a step"
    force = [s for s in rc.find(v.Slider).widgets if s.max == 2000]
    assert len(force) == 1 and force[0].min == 0  # regime.force, the schema's range
    air = [s for s in rc.find(v.Slider).widgets if s.max == 10 and s.v_model == 1.74]
    assert len(air) == 1 and air[0].min == 0  # russia.air_power, the schema's range
    air[0].v_model = 4.0
    assert "Russian air power (russia.air_power): 1.74 → 4" in texts(box)
    assert "press Reset to run with it" in texts(box)
    button(rc, "Reset").click()
    assert "Day <strong>0</strong> of 95" in texts(box) and "press Reset" not in texts(box)
    plain = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    moved = WhatIfModel(Settings("scenarios/campaign.yaml").with_value("russia.air_power", 4.0), CONTROLS, root=ROOT)
    interval = [s for s in rc.find(v.Slider).widgets if (s.min, s.max) == (1, 100)]
    interval[0].v_model = 15  # Mesa's render interval: a click on Step runs 15 days, then draws once
    for _ in range(4):  # into the January push, where air power tells (in December both take the same towns)
        button(rc, "Step").click()
    for _ in range(60):
        plain.step()
        moved.step()
    text = texts(box)
    assert "Day <strong>60</strong> of 95" in text and "Russian air power (russia.air_power): 1.74 → 4" in text
    assert strong(held_line(live_run(moved))) in text, "the page runs the moved slider's scenario"
    assert strong(held_line(live_run(plain))) not in text, "which differs from the scenario as it is"
    on_page = tuple(images(rc)[:maps])
    assert on_page == fresh_map(moved, LiveMap.pieces).all(), "the figure kept from day to day draws what a new one does"
    assert on_page != fresh_map(plain, LiveMap.pieces).all()
    assert on_page[0] != first[0], "the map follows the run"


def test_a_moved_replicate_slider_is_said_until_reset_runs_it(page):
    """Mesa's Replicate slider shows its number only while it is dragged, and takes effect at Reset: moved to 5, the
    page went on saying 'replicate 0' with nothing to say the slider had moved."""
    box, rc, _ = page
    button(rc, "Reset").click()  # before the slider is ever moved: replicate 0
    assert "replicate 0 (seed 20191219)" in texts(box) and "Replicate slider" not in texts(box)
    (slider,) = [s for s in rc.find(v.Slider).widgets if s.label == "Replicate (seed + i), at Reset"]
    slider.v_model = 5
    assert "The Replicate slider is at 5: this is still replicate 0. Press Reset to run replicate 5." in texts(box)
    assert "replicate 0 (seed 20191219)" in texts(box)
    button(rc, "Reset").click()
    assert "replicate 5 (seed 20191224)" in texts(box) and "Replicate slider" not in texts(box)


def test_a_scenario_seeded_near_the_last_seed_runs_its_last_replicate_and_refuses_too_many_in_the_page_s_words(page):
    """Replicate i runs seed + i, and seeds stop at 2**63 - 1. With a scenario seeded 3 below it, Reset with the slider
    at 5 raised in Mesa's callback (the page kept no run), and the Ensemble tab's refusal named the command's flags."""
    box, rc, saved = page
    (saved / "late.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: late\nseed: {2**63 - 4}\n")
    rc.find(v.Select).widget.v_model = str(saved / "late.yaml")
    (slider,) = [s for s in rc.find(v.Slider).widgets if s.label == "Replicate (seed + i), at Reset"]
    slider.v_model = 2
    button(rc, "Reset").click()
    assert f"replicate 2 (seed {2**63 - 2})" in texts(box)
    slider.v_model = 5
    assert ("The Replicate slider is at 5, but this scenario's replicates stop at 3 (replicate i runs seed + i, and seeds "
            "stop at 2**63 - 1): this is replicate 2, and Reset runs the last, 3.") in texts(box)
    button(rc, "Reset").click()
    assert f"replicate 3 (seed {2**63 - 1})" in texts(box)
    assert "this is replicate 3, the last." in texts(box)
    rc.find(v.Tabs).widget.v_model = 1
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 5
    button(rc, "Run ensemble (5)").click()
    text = html.unescape(texts(box))
    assert ("The ensemble failed: InputError: 'the scenario's seed': seed 9223372036854775804 leaves no room for 5 replicates"
            in text and "give Replicates 4 or fewer" in text and "--" not in text[text.index("The ensemble failed"):]), text


def test_a_step_past_the_scenario_s_end_stops_at_its_last_day(page):
    """With the render interval at 60, the second Step ran days 61 to 120 of the campaign's 95: the model raised
    IndexError past its last day and the page showed the traceback in place of everything else."""
    box, rc, _ = page
    [s for s in rc.find(v.Slider).widgets if (s.min, s.max) == (1, 100)][0].v_model = 60  # Mesa's render interval
    button(rc, "Step").click()
    assert "Day <strong>60</strong> of 95" in texts(box)
    button(rc, "Step").click()
    text = texts(box)
    assert "Day <strong>95</strong> of 95" in text and "reached the scenario's end" in text
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    for _ in range(100):
        model.step()
    assert (model.steps, model.time) == (95, 95), "the clock stops with the run (Mesa's Information card shows it)"
    assert strong(held_line(live_run(model))) in text


def test_an_ensemble_its_date_slider_its_comparison_and_a_save(page):
    box, rc, saved = page
    shield = [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"]
    shield[0].v_model = True
    reps = [s for s in rc.find(v.Slider).widgets if s.max == 200]
    rc.find(v.Tabs).widget.v_model = 1  # the Ensemble tab
    reps = [s for s in rc.find(v.Slider).widgets if s.max == 200]
    reps[0].v_model = 4
    button(rc, "Run ensemble (4)").click()
    wait_for(lambda: "4 replicates</strong> of scenarios/campaign.yaml" in texts(box))
    text = texts(box)
    assert "No Spring Shield" in text and "its baseline scenarios/campaign.yaml" in text
    assert "Showing <strong>5 March 2020</strong>" in text and "Saraqib" in text and "P(Government)" in text
    assert "outcomes met" in text and "frozen front" in text
    before = images(rc)
    date = rc.find(v.Slider, label="Day").widget
    assert (date.max, date.v_model) == (95, 95)
    # its ends' dates as the date under it ('Showing 5 March 2020'): they read '1 Dec 2019' and '5 Mar 2020'
    assert (date.tick_labels[0], date.tick_labels[-1], set(date.tick_labels[1:-1])) == ("1 December 2019", "5 March 2020", {""})
    date.v_model = 40  # days from the start
    wait_for(lambda: "Showing <strong>10 January 2020</strong>" in texts(box), 30)
    moved = [bytes(i) for i in images(rc) if bytes(i) not in {bytes(b) for b in before}]
    assert len(moved) >= 3, "the maps' title, the probability map and the front's spread follow the date slider"
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline
    text = texts(box)
    assert CHANGE in text and "paired (same seeds)" in text and "Turkish soldiers killed" in text
    assert "with 90% bootstrap intervals" in compare_heading(rc)
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    rc.find(v.TextField).widget.v_model = "whatif_page_test"
    button(rc, "Save what-if").click()
    file = saved / "whatif_page_test.yaml"
    assert file.exists() and "Saved" in texts(box)
    assert [e.id for e in load_scenario(file).events if e.id == "spring-shield"] == []


def compare_heading(rc) -> str:  # noqa: ANN001
    """The comparison tab's heading, as the page shows it."""
    (heading,) = re.findall(r"<h3[^>]*>(What-if vs baseline.*?)</h3>", texts(rc.find(v.Tabs).widget))
    return heading


def test_the_comparison_heading_promises_intervals_only_where_there_are_some(page):
    box, rc, _ = page
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline, before any ensemble: nothing to promise yet
    assert "interval" not in compare_heading(rc)
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    rc.find(v.Tabs).widget.v_model = 1
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 1
    button(rc, "Run ensemble (1)").click()
    wait_for(lambda: re.search(r"\b1 replicates?</strong> of scenarios/campaign.yaml", texts(box)))
    assert "1 replicate</strong> of" in texts(box), "one replicate, not 'replicates'"
    rc.find(v.Tabs).widget.v_model = 2
    heading = compare_heading(rc)
    assert "bootstrap" not in heading and "without intervals" in heading, heading
    assert "without intervals" in texts(box), "the text below says so too"
    assert "both 1 replicate," in texts(box)


def test_a_slider_a_toggle_sets_says_which_toggle_greys_it(page):
    """Ticking 'The January truce kept' greyed out the January truce's sliders at the toggle's values with no word of
    why: a student tried to move them."""
    box, rc, _ = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "The January truce kept"][0].v_model = True
    text = texts(box)
    greyed = [s for s in rc.find(v.Slider).widgets if s.disabled]
    assert len(greyed) == 2 and text.count("Set by the toggle 'The January truce kept' above: untick it") == 2, text
    [c for c in rc.find(v.Checkbox).widgets if c.label == "The January truce kept"][0].v_model = False
    assert "Set by the toggle" not in texts(box) and not [s for s in rc.find(v.Slider).widgets if s.disabled]


def test_a_greyed_toggle_names_the_file_picked_not_the_scenario_s_internal_name(page):
    """A toggle the scenario cannot take said '(not in campaign)', '(not in whatif_hts_accepts_moscow)': the scenario's
    internal ``name:``, where the user picked scenarios/campaign.yaml in the picker; then its whole path, which broke
    the label mid-word ('scenarios/whatif/hts_accepts_moscow.y' / 'aml'): the file's name alone."""
    box, rc, _ = page
    greyed = [c.label for c in rc.find(v.Checkbox).widgets if c.disabled]
    assert greyed == ["No joint patrols (not in campaign.yaml)"], greyed
    rc.find(v.Select).widget.v_model = "scenarios/whatif/hts_accepts_moscow.yaml"
    wait_for(lambda: "This what-if file changes from scenarios/moscow.yaml" in texts(box), 30)
    greyed = [c.label for c in rc.find(v.Checkbox).widgets if c.disabled]
    # short enough to go whole onto the next line: no break inside it ('(not in hts_' / 'accepts_moscow.yaml)')
    assert "No Spring Shield (not in hts_accepts_moscow.yaml)" in greyed, greyed
    assert not [g for g in greyed if "whatif_" in g], greyed


@pytest.fixture
def underscored(tmp_path):
    """A what-if in the app's what-if folder (the ``page`` fixture's) that changes a file named ``__base__.yaml``."""
    (tmp_path / "__base__.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: base\nseed: 7\n")
    (tmp_path / "mine.yaml").write_text("extends: __base__.yaml\nname: mine\nseed: 8\n")
    return tmp_path / "mine.yaml"


def test_the_file_a_whatif_changes_is_named_as_typed_in_the_sidebar(underscored, page):
    """Markdown read a path's '__' as emphasis: a what-if of '__base__.yaml' said it changes from a bold 'base.yaml'."""
    box, rc, saved = page
    rc.find(v.Select).widget.v_model = str(underscored)
    wait_for(lambda: "This what-if file changes from" in texts(box), 30)
    shown = html.unescape(re.sub(r"<[^>]+>", "", texts(box)))
    assert f"This what-if file changes from {saved / '__base__.yaml'}:" in shown, shown


def test_the_sidebar_lists_a_whatif_file_s_change_of_the_displaced_at_the_start(page):
    """The sidebar said nothing under 'This what-if file changes from scenarios/moscow.yaml' of a what-if that starts
    with fewer people in the camps: its list compared the factions, combat, civilians and events alone."""
    box, rc, saved = page
    (saved / "fewer_away.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'moscow.yaml'}\nname: fewer_away\n"
                                           "displaced_at_start: {near_front: 0.2}\n")
    rc.find(v.Select).widget.v_model = str(saved / "fewer_away.yaml")
    wait_for(lambda: "This what-if file changes from" in texts(box), 30)
    shown = html.unescape(re.sub(r"<[^>]+>", "", texts(box)))
    assert "This what-if file changes from scenarios/moscow.yaml:" in shown, shown
    assert "(displaced_at_start.near_front): 0.58 → 0.2" in shown, shown


def test_errors_stay_in_the_page(page):
    box, rc, saved = page
    select = rc.find(v.Select).widget
    select.v_model = str(saved / "broken.yaml")
    text = texts(box)
    assert "cannot be used" in text and "nowhere.yaml" in text
    assert rc.find(v.Select).widget.v_model == "scenarios/campaign.yaml", "the refused pick is not left shown"
    assert "campaign: control on 1 December 2019" in texts(box) or images(rc), "the page is still there"


def test_a_reset_with_the_picked_file_broken_or_deleted_keeps_the_last_run_and_says_why(page):
    """Reset builds the run from the picked file as it is on disk: edited into an error (a misspelt key) or deleted
    since it was picked, WhatIfModel raised in Mesa's Reset callback and the page became a traceback until reloaded."""
    box, rc, saved = page
    file = saved / "edited.yaml"
    file.write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: edited\nfactions:\n  russia:\n    air_power: 2.0\n")
    rc.find(v.Select).widget.v_model = str(file)
    button(rc, "Reset").click()
    assert f"One run: {file}, replicate 0" in texts(box) and "no longer" not in texts(box)
    file.write_text(file.read_text() + "    air_pwer: 2.0\n")
    button(rc, "Reset").click()
    text = texts(box)
    assert "air_pwer" in text and f"One run: {file}, replicate 0" in text and "Day <strong>0</strong> of 95" in text, text
    assert "This view failed" not in text
    button(rc, "Step").click()
    assert "Day <strong>1</strong> of 95" in texts(box), "the last run that built goes on"
    file.unlink()
    button(rc, "Reset").click()
    text = texts(box)
    assert "no such scenario file" in text and "Day <strong>0</strong> of 95" in text, text
    rc.find(v.Select).widget.v_model = "scenarios/campaign.yaml"
    button(rc, "Reset").click()
    text = texts(box)
    assert "One run: scenarios/campaign.yaml" in text and "no such scenario file" not in text, text


def test_a_picked_file_broken_on_disk_leaves_the_picker_in_the_sidebar(page):
    """The sidebar returned early when the picked file no longer loaded, before its other hooks: Solara refused the
    render ('conditional hooks?'), and after 'Try again' the sidebar had no scenario picker: the page had to be reloaded."""
    box, rc, saved = page
    file = saved / "edited.yaml"
    file.write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: edited\nfactions:\n  russia:\n    air_power: 2.0\n")
    rc.find(v.Select).widget.v_model = str(file)
    file.write_text(file.read_text() + "    air_pwer: 2.0\n")
    [c for c in rc.find(v.Checkbox).widgets if c.label == "The January truce kept"][0].v_model = True
    text = texts(box)
    assert "This view failed" not in text and "air_pwer" in text, text
    (select,) = rc.find(v.Select).widgets
    assert select.v_model == str(file)
    select.v_model = "scenarios/moscow.yaml"
    text = texts(box)
    assert "air_pwer" not in text and "hts.patrol_block" in text, text


def test_the_save_tab_on_a_picked_file_edited_into_an_error_says_so_in_place(page, capfd):
    """Save & export opened, with no name typed, on a picked what-if since edited into an error: ExportView raised in
    default_name on its first render, and Solara then refused every render ('Previously render had 3 effects, this run
    1 ... conditional hooks?', then 'Too many renders triggered'): the tab kept showing the One run view."""
    box, rc, saved = page
    file = saved / "posts.yaml"
    shipped = (ROOT / "scenarios" / "whatif" / "no_saraqib_posts.yaml").read_text()
    copy = shipped.replace("extends: ../campaign.yaml", f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}")
    file.write_text(copy.replace("name: whatif_no_saraqib_posts", "name: posts_copy"))
    rc.find(v.Select).widget.v_model = str(file.resolve())
    file.write_text(re.sub(r"remove_events: \[.*\]", "remove_events: [no-such-event]", file.read_text()))
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    text = texts(box)
    save = text[text.index("Save the settings as a what-if"):]
    assert "no-such-event" in save and "This view failed" not in save, save[:800]
    assert "Fix the file, or pick another scenario" in save and "Save what-if" not in save, save[:800]
    err = capfd.readouterr().err
    assert "conditional hooks" not in err and "raised exception" not in err, err[-2000:]
    file.write_text(copy.replace("name: whatif_no_saraqib_posts", "name: posts_copy"))  # fixed: the tab is a form again
    tabs = rc.find(v.Tabs).widget
    tabs.v_model = 0
    tabs.v_model = 3
    assert "no-such-event" not in texts(box) and "Nothing to save" in texts(box), texts(box)[-1500:]
    file.unlink()  # deleted after it was picked: said the same way
    tabs.v_model = 0
    tabs.v_model = 3
    text = texts(box)
    assert "no such scenario file" in text[text.index("Save the settings as a what-if"):] and "This view failed" not in text


def test_a_view_that_fails_on_its_first_render_says_so_in_place_and_tries_again():
    """A view that raised on its first render, after its first hooks, left Solara reusing its hooks for the error
    shown in its place ('Previously render had 3 effects, this run 1 ... conditional hooks?'): the page stopped
    updating instead of saying 'This view failed' with Try again."""
    from sim.app.guard import Guarded

    broken = solara.reactive(True)

    @solara.component
    def View():
        solara.use_reactive(0)  # hooks before it fails, as every view has
        solara.use_memo(lambda: 1, [])
        if broken.value:
            raise InputError("x.yaml", "edited into an error")
        solara.Text("the view")

    box, rc = solara.render(Guarded(View), handle_error=False)
    try:
        assert "This view failed: InputError: x.yaml: edited into an error" in texts(box), texts(box)
        broken.set(False)
        button(rc, "Try again").click()
        assert "the view" in texts(box) and "This view failed" not in texts(box), texts(box)
    finally:
        rc.close()


@pytest.fixture
def scratch(tmp_path):
    """A user's half-written what-if in the app's what-if folder (the ``page`` fixture's), there before the page opens."""
    file = tmp_path / "scratch.yaml"
    file.write_text("extends: ../campaign.yaml\nname: scratch\nfactions:\n  regime: [commit: 0.5\n")
    return file


def test_a_scratch_whatif_with_a_yaml_error_is_refused_alone_and_the_page_keeps_working(scratch, page):
    """A user's half-written what-if beside the others (a YAML error in it) is listed; picking it says which file and
    which line is wrong, and the page goes on with the scenario it had; another what-if is still picked and loads."""
    box, rc, saved = page
    assert str(scratch.resolve()) in [i["value"] for i in rc.find(v.Select).widget.items], "listed, to be fixed and picked"
    rc.find(v.Select).widget.v_model = str(saved / "scratch.yaml")
    text = texts(box)
    assert "scratch.yaml cannot be used" in text and "line 4" in text and "is not closed" in text, text
    assert text.count("scratch.yaml") == text.count("scratch.yaml cannot be used: line 4"), "the file named once"
    assert str(saved / "scratch.yaml") in texts(box, as_copied=True), "its path copies as a path, no invisible spaces in it"
    assert rc.find(v.Select).widget.v_model == "scenarios/campaign.yaml", "the refused pick is not left shown"
    rc.find(v.Select).widget.v_model = "scenarios/whatif/jan_truce_holds.yaml"
    wait_for(lambda: "This what-if file changes from scenarios/campaign.yaml" in texts(box), 30)
    assert "cannot be used" not in texts(box), "the earlier refusal is not left shown"


def test_the_server_is_local_and_offline_and_says_what_is_missing(monkeypatch):
    from sim.app import server
    from sim.cli import main

    cmd = server.server_command("localhost", 8765)
    assert cmd[cmd.index("--host") + 1] == "localhost" and "--production" in cmd and "--no-check-version" in cmd
    environment = server.server_environment(ROOT, None, None)
    assert environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert environment["SOLARA_THEME_SHOW_BANNER"] == "False", "Solara's banner would cover the maps' scale bars"
    called = {}
    monkeypatch.setattr(server, "serve", lambda host, port, **kw: called.update(host=host, port=port, **kw) or 0)
    assert main(["app"]) == 0 and called["host"] == "localhost" and called["port"] == 8765
    monkeypatch.undo()
    with pytest.raises(InputError, match="no such scenario"):
        server.serve(root=ROOT, scenario="scenarios/nowhere.yaml")
    monkeypatch.setattr(server, "NEEDS", ("no_such_module_here",))
    with pytest.raises(InputError, match=r"pip install -e '\.\[app\]'"):
        server.serve(root=ROOT)


def test_a_missing_first_scenario_is_blamed_on_the_flag_only_when_it_was_given(tmp_path):
    """Outside the repository, with no --scenario, the app said '--scenario scenarios/campaign.yaml: no such scenario
    file (... or give --scenario)'; with a misspelt --scenario it said to give --scenario."""
    from sim.app import server

    with pytest.raises(InputError) as given:
        server.serve(root=ROOT, scenario="scenarios/nowhere.yaml")
    assert str(given.value).startswith("--scenario ") and "give --scenario" not in str(given.value), str(given.value)
    with pytest.raises(InputError) as default:
        server.serve(root=tmp_path)
    assert not str(default.value).startswith("--scenario") and "repository root" in str(default.value), str(default.value)
    assert "give --scenario FILE" in str(default.value)


def test_a_port_in_use_is_an_input_error_naming_the_flag(monkeypatch, capsys):
    """Another server on the port: the app said so only through uvicorn's own message and exit status 3."""
    import socket

    from sim.app import server
    from sim.cli import main

    monkeypatch.setattr(os, "execve", lambda *a: pytest.fail("the server was started on a port in use"))
    with socket.socket() as taken:
        taken.bind(("localhost", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} .*in use") as err:
            server.serve(port=port, root=ROOT)
        assert err.value.key == "--port"
        assert main(["app", "--port", str(port)]) == 2
    assert "--port" in capsys.readouterr().err



def test_a_scenario_that_does_not_load_or_a_save_dir_that_cannot_be_one_stops_the_app_before_it_serves(tmp_path, monkeypatch,
                                                                                                       capsys):
    """A what-if with a misspelt key, or a sweep file, given to --scenario served a page that was one traceback; a
    --save-dir that is a file failed only at the first save (a walk-through's finds)."""
    from sim.app import server
    from sim.cli import main

    monkeypatch.setattr(os, "execve", lambda *a: pytest.fail("the server was started"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: broken\nfactions:\n  regime:\n    comit: 0.5\n")
    for scenario, said in ((broken, "line 5, key 'factions.regime.comit': unknown key 'comit'"),
                           (ROOT / "sweeps" / "jan_truce_30_days.yaml", "this is a sweep file, not a scenario file")):
        assert main(["app", "--scenario", str(scenario)]) == 2
        err = capsys.readouterr().err
        assert said in err and err.count("\n") == 1, err
    (tmp_path / "afile").write_text("mine")
    for save_dir, said in ((tmp_path / "afile", "is not a folder"), (tmp_path / "afile" / "sub", "under")):
        with pytest.raises(InputError, match=said) as err:
            server.serve(root=ROOT, port=0, save_dir=save_dir)
        assert err.value.key == "--save-dir"
    assert (tmp_path / "afile").read_text() == "mine"

def test_an_edited_parent_scenario_is_read_again(tmp_path):
    (tmp_path / "base.yaml").write_text((ROOT / "scenarios" / "moscow.yaml").read_text().replace("extends: common/idlib.yaml",
                                        f"extends: {ROOT / 'scenarios' / 'common' / 'idlib.yaml'}"))
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\n")
    assert base_scenario(tmp_path / "child.yaml").seed == 20200305
    time.sleep(0.01)
    (tmp_path / "base.yaml").write_text((tmp_path / "base.yaml").read_text().replace("seed: 20200305", "seed: 7"))
    assert base_scenario(tmp_path / "child.yaml").seed == 7


def test_the_page_title_comes_from_the_controls_file_not_the_code(tmp_path):
    (tmp_path / "controls.yaml").write_text('title: "Elsewhere, 1990: what if?"\nsliders: {}\n')
    assert load_controls(tmp_path / "controls.yaml").title == "Elsewhere, 1990: what if?"
    (tmp_path / "bare.yaml").write_text("sliders: {}\n")
    assert load_controls(tmp_path / "bare.yaml").title == "What if?"
    assert "Idlib" in CONTROLS.title


def test_the_run_map_says_its_date_and_is_drawn_at_its_own_size(page):
    """The on-page run map's title had no date (the downloaded one had), and the page drew figures at 80 dpi and
    squeezed them into a column: town names about 4 px high."""
    from io import BytesIO

    import ipywidgets as w
    from PIL import Image

    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    drawn = whole_map(LiveMap(model.theatre), *live_map_state(model.theatre, model.events_json, live_run(model))[1:])
    assert Image.open(BytesIO(drawn)).size == (1080, 760), "the figure's own size: 10.8 x 7.6 in at 100 dpi"
    box, rc, _ = page
    for day in range(3):  # the title over the map, the downloaded map's, with the day's date
        assert f"campaign: control on {date_words(model.start + dt.timedelta(days=day))} (seed {model.seeds[0]})" in texts(box)
        button(rc, "Step").click()
    for image in rc.find(w.Image).widgets:
        assert image.width in ("", None) and "sim-figure" in image._dom_classes, (image.width, image._dom_classes)


def map_pixels(picture) -> np.ndarray:  # noqa: ANN001 - PNG bytes or a path
    """A map as the RGB pixels a viewer shows, stored with the palette the command line's PNGs take."""
    from io import BytesIO

    from PIL import Image

    from sim.viz.style import palette_image

    image = Image.open(BytesIO(picture) if isinstance(picture, bytes) else picture)
    return np.asarray(palette_image(image.convert("RGB")).convert("RGB"))


def test_the_one_run_map_download_is_the_map_run_writes_with_the_towns_that_changed_hands_named(tmp_path):
    """The One run tab's Map (PNG) named none of the towns that had changed hands, which the map `python -m sim run`
    writes names where there is room (on jan_truce's last day, replicate 2: Duleim, Barnan, Jarjanaz, Farjah ...)."""
    from sim.viz.figures import draw_control_map, run_map

    model = WhatIfModel(Settings("scenarios/jan_truce.yaml"), CONTROLS, replicate=2, root=ROOT)
    while model.running:
        model.step()
    downloaded = png(run_map(model.theatre, model.events_json, live_run(model), model.title), None)
    written = draw_control_map(simulate(model.spec, seed=model.seeds[0]), tmp_path / "control_map.png")
    assert np.array_equal(map_pixels(downloaded), map_pixels(written))


def test_the_live_map_names_the_towns_that_changed_hands_as_the_run_s_map_does(page):
    """The One run tab's map is the map `python -m sim run` writes for its day, but for its title (the page's text):
    it named none of the towns that had changed hands, which that map names where there is room."""
    from sim.app.figures import pieces
    from sim.viz.figures import control_map_figure
    from sim.viz.map_state import run_state

    box, rc, _ = page
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    days = 20  # into the offensive of 19 December: towns have changed hands
    rc.find(v.Slider, label="Render Interval (steps)").widget.v_model = days  # one Step runs them all
    button(rc, "Step").click()
    for _ in range(days):
        model.step()
    assert f"Day <strong>{days}</strong> of 95" in texts(box)
    run = live_run(model)
    date = run.date(len(run.history) - 1)
    assert (run.history[-1] != run.history[0]).any()
    state = run_state(model.theatre, model.events_json, run, date)
    expected = pieces(control_map_figure(model.theatre, state, "", changed=run.history[-1] != run.history[0]))
    shown = images(rc)
    assert all(piece in shown for piece in expected.all()), "the map and its legend, as the run's map draws them"


def test_a_path_in_the_pickers_list_may_break_after_its_folders_and_inside_a_long_name_alone():
    """The picker's list (plain text) gets an invisible break after each '/' that a word follows, and after the '_' of
    a part too long for its line alone: 'scenarios/whatif/jan_truce_' / 'holds.yaml' broke a name that fitted whole."""
    assert breakable("scenarios/whatif/jan_truce_holds.yaml") == f"scenarios/{BREAK}whatif/{BREAK}jan_truce_holds.yaml"
    long = "scenarios/whatif/no_moscow_agreement_turkey_stands_down.yaml"
    assert breakable(long) == long.replace("/", "/" + BREAK).replace("_", "_" + BREAK)
    assert breakable("a_ b/ c/") == "a_ b/ c/"


def test_a_path_shown_as_html_breaks_between_its_parts_and_copies_as_it_is():
    """Where the sidebar's text is HTML, a path is a block of blocks, one per part, and may break inside a name only
    at a <wbr> after its '_' (which a copy leaves out, where an invisible space was copied with it); the rest of the
    text is escaped."""
    shown = path_html("changes from scenarios/jan_truce_holds.yaml: <b> & a_ b/")
    part = f'<span class="{PART}">'
    assert shown == (f"changes from {part}{part}scenarios/</span>{part}jan_<wbr>truce_<wbr>holds.yaml:</span></span>"
                     " &lt;b&gt; &amp; a_ b/")
    assert path_html("(not in no_moscow.yaml)") == f"(not in {part}no_<wbr>moscow.yaml)</span>", "a name alone: one block"
    assert BREAK not in shown and re.sub(r"<[^>]+>", "", shown).replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&") == "changes from scenarios/jan_truce_holds.yaml: <b> & a_ b/"


def test_an_addresss_query_in_the_pages_words_stays_whole_where_it_fits():
    """A refused address's page, 1280 px wide, broke 'give a relative path such as ?' / 'folder=group-a': a browser
    may break after a '?'. A word with a query in it is a block, whole on its line where it fits."""
    part = f'<span class="{PART}">'
    assert path_html("such as ?folder=group-a, or") == f"such as {part}?folder=group-a,</span> or"
    assert path_html("why? because") == "why? because", "a question mark ending a word is not a query"


def test_a_day_that_changes_nothing_on_the_map_draws_no_map(page, monkeypatch):
    """The map is drawn again only on a day that changes what it shows. With its date drawn into its title it was drawn
    and sent every day, and a step took 0.87 s from the click to shown, where it had taken 0.34 s."""
    drawn = []
    draw = LiveMap.draw
    monkeypatch.setattr(LiveMap, "draw", lambda self, *shown: drawn.append(1) or draw(self, *shown))
    box, rc, _ = page
    model = WhatIfModel(Settings("scenarios/campaign.yaml"), CONTROLS, root=ROOT)
    keys = [live_map_state(model.theatre, model.events_json, live_run(model))[0]]  # day 0's, drawn as the page opened
    for day in range(1, 25):  # into the main offensive of 19 December
        button(rc, "Step").click()
        model.step()
        keys.append(live_map_state(model.theatre, model.events_json, live_run(model))[0])
        assert f"Day <strong>{day}</strong> of 95" in texts(box)
    changed = sum(a != b for a, b in zip(keys, keys[1:], strict=False))
    assert 0 < changed < 24, "the days chosen hold both kinds"
    assert len(drawn) == changed, (len(drawn), changed)


def test_each_column_of_an_ensemble_maps_legend_fits_a_phone_s_page_unscaled(build):
    """At 360 px the page's column is 336 px: the legend column of the front-spread map's areas, one line each, was a
    picture 486 px wide, scaled down to text about 7 px high where the other columns read at 11; the long entries take
    two lines instead."""
    from io import BytesIO

    from PIL import Image

    from sim.app.figures import pieces
    from sim.io.theatre import load_theatre
    from sim.names import HOLDERS
    from sim.viz.figures import ensemble_figure
    from sim.viz.map_state import ensemble_state

    from .app_browser import SMALLEST_PHONE
    from .test_maps import D0, grid_theatre, run_of

    t = load_theatre(grid_theatre(build))
    regime, rebels = HOLDERS.index("regime"), HOLDERS.index("rebels")
    start = np.array([regime] * 3 + [rebels] * 6, np.int8)
    moved = start.copy()
    moved[4] = regime  # a tie in two of four runs: the hatched areas' entry, the longest, is drawn too
    runs = [run_of([start, start]), run_of([start, start]), run_of([start, moved]), run_of([start, moved])]
    fig = ensemble_figure(t, ensemble_state(t, [], runs, D0 + dt.timedelta(days=1)), "regime", "x")
    assert any("hatched" in x.get_text() for x in fig.legends[0].get_texts())
    widths = [Image.open(BytesIO(key)).width for key in pieces(fig).keys]
    assert len(widths) >= 3 and max(widths) <= SMALLEST_PHONE - 24, widths  # the page's 12-px margins either side
