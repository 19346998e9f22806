"""What the app's views say, rendered with Solara's test helpers: outcomes and scores in words, the factions'
names, the sliders' meanings, the figures' titles, the save form, and the comparison's summary.

Skipped where the app extra is not installed (tests/test_app.py has the page's workings).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402
from solara.components.file_download import FileDownloadWidget  # noqa: E402

from sim.analysis.comparison_report import comparison_table  # noqa: E402
from sim.analysis.report import write_report  # noqa: E402
from sim.app import ensemble_view  # noqa: E402
from sim.app.compare_words import shown_same  # noqa: E402
from sim.app.live import WhatIfModel  # noqa: E402
from sim.app.outcome_words import described  # noqa: E402
from sim.app.run_view import live_map_title  # noqa: E402
from sim.app.settings import Settings, build, changes, load_controls  # noqa: E402
from sim.app.whatif import save_whatif, whatif_data  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.io.scenario import load_scenario  # noqa: E402
from sim.viz.maps import compare_figure, map_figure  # noqa: E402
from sim.viz.plots import towns_held_figure  # noqa: E402

from .app_page import button, page, page_saving_into, texts, wait_for  # noqa: E402, F401 - page: a fixture
from .conftest import ROOT  # noqa: E402

CONTROLS = load_controls(ROOT / "scenarios" / "app" / "controls.yaml")


def run_ensemble(rc, box, n: int = 2, toggle: str | None = None) -> None:  # noqa: ANN001
    """Tick ``toggle`` (if any), then run ``n`` replicates from the Ensemble tab and wait for them."""
    if toggle:
        [c for c in rc.find(v.Checkbox).widgets if c.label == toggle][0].v_model = True
    rc.find(v.Tabs).widget.v_model = 1
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = n
    button(rc, f"Run ensemble ({n})").click()
    wait_for(lambda: re.search(rf"\b{n} replicates?</strong> of", texts(box)))


def section(text: str, heading: str) -> str:
    """The text from ``heading`` to the end of the table after it."""
    start = text.index(heading)
    end = text.find("</table>", start)
    return text[start:end if end > 0 else None]


def test_the_outcomes_table_reads_in_words_across_the_page(page):
    box, rc, _ = page
    run_ensemble(rc, box)
    outcomes = section(texts(box), "Outcomes against the record")
    assert "Ma'arat al-Numan is held by the government on 28 January" in outcomes, "the outcome's description"
    for code in ("maarat-regime-by-28-jan", "truce_broken", "turkish_deaths", "post_encircled", "baseline_met"):
        assert code not in outcomes, code
    assert "truce broken on 15\u00a0January\u00a02020" in outcomes and "Turkish soldiers killed" in outcomes
    assert not re.search(r"\d{4}-\d\d-\d\d", outcomes), "dates that break over lines at their hyphens"
    headers = re.findall(r"<th[^>]*>(.*?)</th>", outcomes)
    assert "frozen front" in headers and "baseline" not in " ".join(headers), headers
    for row in rc.find(v.Row).widgets:  # not squeezed into one of two columns
        cols = [c for c in row.children if isinstance(c, v.Col)]
        assert len(cols) < 2 or not any("Outcomes against the record" in texts(c) for c in cols)


def test_the_headline_scores_show_the_fitted_and_held_out_outcomes_apart_and_say_what_they_measure(page):
    box, rc, _ = page
    run_ensemble(rc, box)
    card = ensemble_view.ensemble_task.value.card
    scores = section(texts(box), "Headline scores")
    headers = re.findall(r"<th[^>]*>(.*?)</th>", scores)
    sets = {name: len(sub.scores) for name, sub in card.sets.items()}
    assert set(sets) == {"calibration", "validation"}
    assert f"calibration: {sets['calibration']} fitted" in headers and f"validation: {sets['validation']} held out" in headers
    accuracy = re.search(r"<td[^>]*>control accuracy</td>\s*<td[^>]*>model</td>((?:\s*<td[^>]*>[^<]*</td>){3})", scores)
    shown = re.findall(r">([^<]*)</td>", accuracy.group(1))
    expected = [card.headline(), card.sets["calibration"].headline(), card.sets["validation"].headline()]
    assert shown == [f"{h['control accuracy']:.3f}" for h in expected], "pooled, fitted and held out, side by side"
    text = texts(box)
    assert "0 is perfect, 2 the worst" in text and "mean error, in days, of the dated changes of hands" in text
    assert "fitted to" in text and "held out" in text


def test_the_ensemble_tables_name_the_factions_as_the_rest_of_the_page_does(page):
    box, rc, _ = page
    run_ensemble(rc, box)
    rc.find(v.Slider, label="Day").widget.v_model = 0  # the first day: the record says who holds each town
    wait_for(lambda: "Showing <strong>1 December 2019</strong>" in texts(box), 30)
    text = texts(box)
    towns = section(text, "The labelled towns on")
    headers = re.findall(r"<th[^>]*>(.*?)</th>", towns)
    assert headers == ["town", "P(Government)", "P(HTS)", "P(Turkish-backed rebels)", "reported"], headers
    cells = re.findall(r"<td[^>]*>(.*?)</td>", towns)
    assert "Government" in cells and not {"regime", "hts", "rebels"} & set(cells)
    held = re.search(r"Towns held on that day[^\n]*", text).group(0)
    assert "Government <strong>" in held and "Turkish-backed rebels <strong>" in held and "regime" not in held, held


def test_each_slider_says_what_it_sets_beside_its_path(page):
    box, rc, _ = page
    text = texts(box)
    force = text.index("regime.force — ")
    assert "Government: mobile strength at the start" in text[force:force + 400]
    assert "1 point is about 100 fighters" in text[force:force + 400], "the unit"
    compliance = text.index("events.jan-truce.compliance.regime — ")
    assert re.search(r"January 2020 Idlib truce[^\n]*: daily chance each armed faction keeps to it \(here: Government\)",
                     text[compliance:compliance + 400])
    assert "Combat: defenders with a way out withdraw once the odds" in text
    assert "Turkey: regime objective scores for a town are divided by exp(deterrence" in text


def figure_titles(fig) -> list[str]:  # noqa: ANN001
    return [t for t in [fig._suptitle.get_text() if fig._suptitle else "", *(ax.get_title() for ax in fig.axes)] if t]


def test_a_whatif_s_figures_and_headings_say_what_it_changes_not_its_internal_name(page):
    box, rc, _ = page
    run_ensemble(rc, box, toggle="No Spring Shield")
    ens = ensemble_view.ensemble_task.value
    titles = [*figure_titles(map_figure(ens.results, ens.last)), *figure_titles(towns_held_figure(ens.results)),
              *figure_titles(compare_figure(ens.baseline, ens.results, ens.last))]
    assert any(t.startswith("what-if: No Spring Shield") for t in titles), titles
    assert not any("whatif_" in t for t in titles), titles
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline
    assert "what-if: No Spring Shield against campaign" in texts(box) and "whatif_campaign_app" not in texts(box)
    files = [d.filename for d in rc.find(FileDownloadWidget).widgets]
    assert files and all(re.fullmatch(r"[A-Za-z0-9_.-]+", f) for f in files), files
    one = WhatIfModel(Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True), CONTROLS, root=ROOT)
    assert live_map_title(one).startswith("what-if: No Spring Shield: control"), "the One run tab's map too"
    plain = WhatIfModel(Settings("scenarios/whatif/jan_truce_holds.yaml"), CONTROLS, root=ROOT)
    assert live_map_title(plain).startswith("what-if: The January 2020 truce with near-full")


def save_tab(rc, typed: str) -> None:  # noqa: ANN001
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    rc.find(v.TextField).widget.v_model = typed


def test_a_whatif_saved_under_a_natural_name_gets_a_file_name_and_a_relative_parent(page, capfd):
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "no spring shield (test)")
    text = texts(box)
    assert "InputError" not in text and "not a usable name" not in text
    assert f"{saved / 'no_spring_shield_test.yaml'}" in text, "the file it will be saved as"
    button(rc, "Save what-if").click()
    file = saved / "no_spring_shield_test.yaml"
    assert file.exists() and "Saved" in texts(box)
    data = yaml.safe_load(file.read_text())
    assert data["name"] == "no_spring_shield_test" and "no spring shield (test)" in data["description"]
    assert not Path(data["extends"]).is_absolute(), data["extends"]
    assert (saved / data["extends"]).resolve() == (ROOT / "scenarios" / "campaign.yaml").resolve()
    assert [e.id for e in load_scenario(file).events if e.id == "spring-shield"] == []
    save_tab(rc, "((( )))")  # nothing to make a file name of: said in place, the form stays
    text = texts(box)
    assert "letters or digits" in text and "InputError" not in text
    assert rc.find(v.TextField).widgets, "the name can be typed again"
    assert "Traceback" not in capfd.readouterr().err, "the server logs no traceback for a name"


def test_a_name_differing_from_a_saved_file_s_only_by_case_is_refused(page):
    """'Shield_Test' was saved beside 'shield_test.yaml' (and 'Campaign' as a what-if of the campaign): on a disk that
    ignores case (macOS, Windows) the two files are one, and their runs' result folders are one."""
    box, rc, saved = page
    s = Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True)
    first = save_whatif(s, CONTROLS, saved, "shield_test", ROOT)
    before = first.read_bytes()
    with pytest.raises(InputError, match=r"shield_test\.yaml is there already, and the two names differ only by case"):
        save_whatif(s, CONTROLS, saved, "Shield_Test", ROOT)
    assert sorted(f.name for f in saved.glob("*.yaml")) == ["broken.yaml", "shield_test.yaml"] and first.read_bytes() == before
    with pytest.raises(InputError, match="is the name of the scenario it extends .*'campaign', but for case"):
        save_whatif(s, CONTROLS, saved, "Campaign", ROOT)
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "Shield Test")  # said before Save, and no Save button
    text = texts(box)
    assert f"{saved / 'Shield_Test.yaml'}: shield_test.yaml is there already" in text and "ignores case" in text, text
    assert not [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)]


def test_a_name_a_listed_scenario_already_has_is_refused_before_saving(page):
    """'whatif_jan_truce_holds', the ``name:`` of the shipped scenarios/whatif/jan_truce_holds.yaml, was saved: the
    picker then listed two scenarios of that name and seed, whose runs share their default result folders
    (results/<name>-seed<seed>...), and the command line refused to run one into the other's."""
    box, rc, saved = page
    s = Settings("scenarios/campaign.yaml").with_toggle("no-spring-shield", True)
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    for typed in ("whatif_jan_truce_holds", "WHATIF_Jan_Truce_Holds"):  # on a disk that ignores case, one folder
        save_tab(rc, typed)
        text = texts(box)
        assert f"'{typed}' is the name of scenarios/whatif/jan_truce_holds.yaml" in text, text[text.index("Save the settings"):][:800]
        assert "would share result folders" in text and "will be saved as" not in text
        assert not [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)]
        with pytest.raises(InputError, match="is the name of scenarios/whatif/jan_truce_holds.yaml"):
            save_whatif(s, CONTROLS, saved, typed, ROOT)
    # A file of the save folder whose name is not its file's: its name is taken, not its file name.
    (saved / "mine.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: my_truce\n")
    save_tab(rc, "my truce")
    assert f"'my_truce' is the name of {(saved / 'mine.yaml').resolve()}" in texts(box)
    assert sorted(f.name for f in saved.glob("*.yaml")) == ["broken.yaml", "mine.yaml"], "nothing saved"
    save_tab(rc, "my truce kept")
    button(rc, "Save what-if").click()
    assert (saved / "my_truce_kept.yaml").exists() and "Saved " in texts(box)


def test_saving_with_nothing_changed_says_so_and_writes_nothing(page):
    box, rc, saved = page
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    text = texts(box)
    assert "Nothing to save" in text
    # No name to type, and no file proposed: it was the scenario's own, "will be saved as scenarios/whatif/campaign.yaml".
    assert not rc.find(v.TextField).widgets and "will be saved as" not in text
    assert not [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children) and not b.disabled]
    assert not (saved / "same_again.yaml").exists()
    with pytest.raises(InputError, match="nothing is changed"):
        save_whatif(Settings("scenarios/campaign.yaml"), CONTROLS, saved, "same_again", ROOT)


def in_short(box) -> str:  # noqa: ANN001
    (line,) = re.findall(r"<strong>In short</strong>[^\n]*", texts(box))
    return line


def test_the_comparison_says_its_result_in_a_sentence(page):
    box, rc, _ = page
    run_ensemble(rc, box, n=10, toggle="No Spring Shield")  # joint intervals tell nothing from 3
    rc.find(v.Slider, label="Day").widget.v_model = 90  # 29 February: the summary follows the maps' date
    wait_for(lambda: "Showing <strong>29 February 2020</strong>" in texts(box), 30)
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline
    line = in_short(box)
    ens = ensemble_view.ensemble_task.value
    day = 90
    a = np.mean([r.history[day] == 0 for r in ens.baseline.runs], axis=0)
    b = np.mean([r.history[day] == 0 for r in ens.results.runs], axis=0)
    top = int(np.argmax(np.abs(b - a)))
    assert abs(b[top] - a[top]) >= 0.05, "No Spring Shield changes who holds some town by then"
    assert f"{ens.results.theatre.towns[top]} ({a[top]:.0%} → {b[top]:.0%})" in line, line
    assert f"on 29 February 2020 (the maps' date) the government holds {b.sum():.1f} towns against {a.sum():.1f}" in line, line
    significant = [d for d in ens.comparison.headlines if d.low > 0 or d.high < 0]
    # A score beyond chance that reads the same on the page (7.46 and 7.52 days both show 7.5) is not said to move.
    for d in significant:
        assert (d.name in line) != shown_same(d), (d, line)
    if not significant:
        assert "no headline score differs beyond chance" in line, line


def test_a_change_that_changes_nothing_is_said_to(page):
    box, rc, saved = page
    # hts.patrol_block acts only on joint patrols, which the campaign has none of (so the page offers no such slider)
    (saved / "moot.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: moot\n"
                                    "factions:\n  hts:\n    patrol_block: 0.1\n")
    rc.find(v.Select).widget.v_model = str((saved / "moot.yaml").resolve())
    assert "HTS blocking the joint patrols (hts.patrol_block): 0.627 → 0.1" in texts(box), "the file's own change"
    run_ensemble(rc, box, n=2)
    rc.find(v.Tabs).widget.v_model = 2
    assert "no difference in any replicate" in in_short(box)


def test_a_whatif_s_changes_are_named_by_their_sliders_labels_with_the_path_after(page):
    """The What-if tab, the sidebar and the One run tab listed a what-if's changes by dotted path alone
    ('events.jan-truce.restraint: 0.3 → 0.9') where the sidebar's slider had a name in words."""
    box, rc, _ = page
    rc.find(v.Select).widget.v_model = "scenarios/whatif/jan_truce_holds.yaml"  # a what-if file as it is
    restraint = "January truce: the brokers' restraint (events.jan-truce.restraint): 0.3 → 0.9"
    wait_for(lambda: "This what-if file changes from scenarios/campaign.yaml" in texts(box), 30)
    assert f"<li>{restraint}</li>" in texts(box), "the sidebar's list of the file's changes"
    run_ensemble(rc, box, n=1)
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline
    said = html.unescape(re.search(r"A = <strong>[^\n]*", texts(box)).group(0))
    assert restraint in said, said
    # No slider names it: the schema's words for it, which were missing (the path alone, bare, in round 37's review).
    rebels = ("January 2020 Idlib truce (10 January 2020): daily chance each armed faction keeps to it (here: Turkish-backed "
              "rebels) (events.jan-truce.compliance.rebels): 0.95 → 0.98")
    assert rebels in said, said
    assert f"<li>{rebels}</li>" in texts(box), "the sidebar's list of the file's changes"
    rc.find(v.Select).widget.v_model = "scenarios/campaign.yaml"
    [s for s in rc.find(v.Slider).widgets if s.max == 10 and s.v_model == 1.74][0].v_model = 4.0  # russia.air_power
    assert "Russian air power (russia.air_power): 1.74 → 4" in texts(box), "the sidebar's list of changes"
    assert live_map_title(WhatIfModel(Settings("scenarios/campaign.yaml").with_value("russia.air_power", 4.0), CONTROLS,
                                      root=ROOT)).startswith("what-if: russia.air_power: 1.74 → 4"), "a title stays short"


def rows(html: str) -> list[list[str]]:
    """The body rows of the first table in ``html``, as their cells' text."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def as_read(text: str) -> str:
    """A header as a reader reads it: its non-breaking spaces and hyphens (which keep "B − A" and "what-if" whole on a
    phone's narrow column) as the plain ones."""
    return text.replace("\u00a0", " ").replace("\u2011", "-")


def points(cell: str) -> float:
    """'−33' or '+5' (percentage points) as a number."""
    return float(cell.replace("\u2212", "-").replace("+", ""))


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """The What-if vs baseline tab after 10 replicates of No Spring Shield, and the comparison the page made.

    One page for the module's tests that read it (each test process renders it once): its 20 runs took some 14 s for
    each of six tests. The tests read the tab's text, taken here, and the comparison; one asks for a download.
    """
    with pytest.MonkeyPatch.context() as monkeypatch, \
            page_saving_into(tmp_path_factory.mktemp("compared"), monkeypatch) as (box, rc, _):
        run_ensemble(rc, box, n=10, toggle="No Spring Shield")  # joint intervals tell nothing from 3
        rc.find(v.Tabs).widget.v_model = 2
        text = texts(box)
        yield text[text.index("What-if vs baseline:"):], ensemble_view.ensemble_task.value, rc


def test_the_comparison_names_outcomes_and_quantities_in_words_not_codes(compared):
    tab, ens, _ = compared
    for d in ens.comparison.outcomes:
        assert d.name not in tab, f"the raw outcome id {d.name}"
    for code in ("towns_regime", "towns_hts", "turkish_deaths", "displaced-", "casualties_", "p_regime"):
        assert code not in tab, code
    quantities = section(tab, "(the maps' date): means over the replicates")
    for words in ("towns held by the Government", "towns held by HTS", "Turkish soldiers killed", "people displaced"):
        assert words in quantities, words
    scores = section(tab, "Headline scores against the record")
    headers = [as_read(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", scores)]
    assert "B \u2212 A" in headers and "90% interval" in headers and "low" not in headers, headers


def test_the_comparison_lists_only_the_outcomes_that_changed_largest_first_and_counts_the_rest(compared):
    tab, ens, _ = compared
    c = ens.comparison
    listed = rows(section(tab, "Outcomes whose share of replicates meeting them changed"))
    beyond = [d for d in c.outcomes if d.low > 0 or d.high < 0]
    assert beyond, "No Spring Shield changes some outcome beyond chance in 3 paired replicates"
    assert len(listed) == len(beyond), (len(listed), len(beyond))
    sizes = [abs(points(r[3])) for r in listed]
    assert sizes == sorted(sizes, reverse=True), sizes
    assert round(sizes[0]) == round(100 * max(abs(d.diff) for d in beyond))
    unchanged = sum(d.diff == 0 for d in c.outcomes)
    assert unchanged and re.search(rf"\b{unchanged}</strong> did not change at all", tab), unchanged
    scored = {s.outcome.id: described(s.outcome, ens.results.theatre) for s in ens.card.scores}
    assert [html.unescape(r[0]) for r in listed] == [scored[d.name] for d in sorted(beyond, key=lambda d: -abs(d.diff))]


def test_the_comparison_shows_the_ten_towns_that_changed_most_by_name(compared):
    tab, ens, _ = compared
    towns = rows(section(tab, "Towns: the ten whose chance of being held by the government changed most"))
    assert 1 <= len(towns) <= 10, len(towns)
    assert {r[0] for r in towns} <= set(ens.results.theatre.towns)
    sizes = [abs(points(r[3])) for r in towns]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] > 0, sizes
    day = ens.last
    a = np.mean([r.history[r.day(day)] == 0 for r in ens.baseline.runs], axis=0)
    b = np.mean([r.history[r.day(day)] == 0 for r in ens.results.runs], axis=0)
    assert round(sizes[0]) == round(100 * np.abs(b - a).max())
    first = ens.results.theatre.towns.index(towns[0][0])
    assert [float(towns[0][k].rstrip("%")) for k in (1, 2)] == [round(100 * p, 1) for p in (a[first], b[first])], towns[0]


def test_the_comparison_says_which_dates_the_what_if_moved_in_compares_words(compared):
    """The capture dates a what-if moves (how much later does Saraqib fall?) were in the downloaded CSV alone. The tab
    gives them as ``compare A B`` prints them, largest shift first, each outcome by its description."""
    from sim.analysis.comparison_report import date_shifts

    tab, ens, _ = compared
    c = ens.comparison
    moved = sorted((d for d in c.dates if d.moved), key=lambda d: -abs(d.diff if d.bound is None else d.bound))
    assert moved, "No Spring Shield moves some capture's median date"
    shown = section(tab, "Dates: the median simulated date of each dated outcome")
    scored = {s.outcome.id: described(s.outcome, ens.results.theatre) for s in ens.card.scores}
    listed = rows(shown)
    assert [html.unescape(r[0]) for r in listed] == [scored[d.name] for d in moved[:len(listed)]], listed
    heading, _, tail = date_shifts(c, "the comparison CSV below")  # compare's own sentences, not a copy of them
    assert heading in tab and html.unescape(tail.split(". ")[-1]) in html.unescape(tab), tail


def test_the_comparison_tab_downloads_every_difference_as_compare_writes_them(compared, tmp_path):
    _, ens, rc = compared
    files = {d.filename: d for d in rc.find(FileDownloadWidget).widgets if d.filename.endswith("comparison.csv")}
    assert files, [d.filename for d in rc.find(FileDownloadWidget).widgets]
    assert list(files) == [f"{ens.stem}-runs{ens.runs}-comparison.csv"], "the Ensemble tab's file, by the same name"
    assert "CSV" in texts(next(iter(files.values()))), "a button that says what it downloads"
    button = next(iter(files.values()))
    button.request_download = True  # what the browser asks for when the button is clicked
    wait_for(lambda: button.bytes)
    written = write_report(tmp_path, "comparison", "", comparison_table(ens.comparison))[1].read_bytes()
    assert button.bytes == written, "the same bytes as the file compare A B writes (digits, line ends)"


def test_the_what_if_is_said_closer_to_or_further_from_the_record_and_a_change_below_the_shown_precision_is_none():
    """'No Turkish intervention is better beyond chance' read as a judgement of the counterfactual; the scores only
    say whether B is closer to the record. A change that rounds to zero where it is shown is not said to be one
    ('capture MAE falls (better) from 8.5 to 8.5')."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.app.compare_words import scores_markdown, summary

    c = SimpleNamespace(headlines=[Difference("outcomes met", 0.40, 0.45, 0.01, 0.09), Difference("Brier", 0.30, 0.35, 0.01, 0.09),
                                   Difference("capture MAE (days)", 8.51, 8.49, -0.03, -0.01)],
                        intervals=True, same_runs=False, differs_in=())
    table = scores_markdown(c)
    assert "better" not in table and "worse" not in table, table
    cells = {r[0].strip(): r for r in (line.strip("|").split("|") for line in table.split("\n")[4:])}
    assert cells["outcomes met"][-1].strip() == "closer to the record beyond chance", cells
    assert cells["Brier"][-1].strip() == "further from the record beyond chance", cells
    assert "beyond chance" not in cells["capture MAE (days)"][-1] and "same" in cells["capture MAE (days)"][-1], cells
    headers = [as_read(h.strip()) for h in table.split("\n")[2].strip("|").split("|")]
    assert "baseline (A)" in headers and "what-if (B)" in headers, headers
    towns = pd.DataFrame({"town": ["X"], "p_regime_a": [0.5], "p_regime_b": [0.5], "diff": [0.0], "low": [0.0], "high": [0.0]})
    line = summary(c, [Difference("towns_regime", 50.0, 51.0, 0.0, 2.0)], towns, dt.date(2020, 3, 5), ("campaign", "what-if: X"))
    assert "outcomes met rises (closer to the record) from 0.400 to 0.450" in line, line
    assert "Brier rises (further from the record) from 0.300 to 0.350" in line, line
    assert "capture MAE" not in line and "better" not in line, line


def test_the_comparisons_tables_write_each_column_of_shares_and_points_in_one_format():
    """The towns table read "92.5%" beside "20%" and "−82.5 to −60": each number took the decimals its own value
    needed. A column takes tenths where any of its numbers needs them, and all of its numbers then have them; a
    column that needs none has none; a zero difference beside "−0.238" reads "0.000", not "0"."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.analysis.outcomes import ConditionOutcome
    from sim.app.compare_words import outcomes_markdown, scores_markdown, towns_markdown

    def columns(table: str) -> list[list[str]]:
        body = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.split("\n")[2:]]
        return [list(column) for column in zip(*body, strict=True)]

    def decimals(cell: str) -> set[int]:
        return {len(n.partition(".")[2]) for n in re.findall(r"\d+(?:\.\d+)?", cell)}

    towns = pd.DataFrame({"town": ["X", "Y", "Z"], "p_regime_a": [0.925, 0.95, 0.9], "p_regime_b": [0.2, 0.225, 0.3],
                          "low": [-0.825, -0.825, -0.7], "high": [-0.6, -0.624, -0.5]})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    c = SimpleNamespace(intervals=True, date=dt.date(2020, 3, 5), headlines=[
        Difference("outcomes met", 0.545, 0.306, -0.284, -0.192), Difference("Brier", 0.229, 0.229, 0.0, 0.0),
        Difference("capture MAE (days)", 8.8, 15.9, 5.6, 8.6)])
    table = towns_markdown(towns, dt.date(2020, 1, 29), c).split("\n\n")[1]
    cols = columns(table)
    assert cols[1] == ["92.5%", "95.0%", "90.0%"] and cols[2] == ["20.0%", "22.5%", "30.0%"], table
    assert cols[3] == ["\u221272.5", "\u221272.5", "\u221260.0"] and cols[4][0] == "\u221282.5\u00a0to\u00a0\u221260.0", table
    for column in cols[1:]:
        assert set().union(*map(decimals, column)) == {1}, column

    whole = towns.assign(p_regime_a=[0.9, 0.8, 0.7], p_regime_b=[0.2, 0.3, 0.4], low=[-0.8, -0.6, -0.4], high=[-0.6, -0.4, 0.0])
    whole["diff"] = whole["p_regime_b"] - whole["p_regime_a"]
    cols = columns(towns_markdown(whole, dt.date(2020, 1, 29), c).split("\n\n")[1])
    assert cols[1] == ["90%", "80%", "70%"] and cols[3] == ["\u221270", "\u221250", "\u221230"] and cols[4][2] == "\u221240\u00a0to\u00a00", cols

    said = {f"o{k}": ConditionOutcome(id=f"o{k}", set="calibration", kind="condition", description=f"outcome {k}",
                                      period=(dt.date(2020, 1, 1), dt.date(2020, 1, 2)), max_captures=0, source=["x"])
            for k in range(2)}
    outcomes = SimpleNamespace(intervals=True, a=SimpleNamespace(scores=[SimpleNamespace(outcome=o) for o in said.values()],
                                                                 results=SimpleNamespace(theatre=None)),
                               b=SimpleNamespace(scores=[]),
                               outcomes=[Difference("o0", 0.975, 0.2, -0.9, -0.625), Difference("o1", 0.9, 0.5, -0.6, -0.2)])
    cols = columns(outcomes_markdown(outcomes).split("\n\n")[1])
    assert cols[1] == ["97.5%", "90.0%"] and cols[2] == ["20%", "50%"] and cols[3] == ["\u221277.5", "\u221240.0"], cols
    assert cols[4] == ["\u221290.0\u00a0to\u00a0\u221262.5", "\u221260.0\u00a0to\u00a0\u221220.0"], cols

    cols = columns(scores_markdown(c).split("\n\n")[1])
    assert cols[4] == ["\u22120.239", "0.000", "+7.1"], cols  # a row's format: thousandths, or tenths of a day


def test_a_change_and_its_interval_take_the_same_decimals():
    """The towns' and the outcomes' "B \u2212 A" read "+20" beside an interval of "+12.5 to +27.5": whole points beside
    tenths. The change and its interval are one format, tenths where either needs them."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.analysis.outcomes import ConditionOutcome
    from sim.app.compare_words import CHANGE, intervals_name, outcomes_markdown, towns_markdown

    def column(table: str, name: str) -> list[str]:
        rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.split("\n") if line.startswith("|")]
        k = rows[0].index(name)
        return [row[k] for row in rows[2:]]

    towns = pd.DataFrame({"town": ["X", "Y"], "p_regime_a": [0.5, 0.6], "p_regime_b": [0.7, 0.9],
                          "low": [0.125, 0.2], "high": [0.275, 0.4]})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    table = towns_markdown(towns, dt.date(2020, 1, 29), SimpleNamespace(intervals=True, date=dt.date(2020, 3, 5)))
    assert column(table, CHANGE) == ["+30.0", "+20.0"], table
    assert column(table, intervals_name()) == ["+20.0\u00a0to\u00a0+40.0", "+12.5\u00a0to\u00a0+27.5"], table

    said = ConditionOutcome(id="o0", set="calibration", kind="condition", description="outcome 0",
                            period=(dt.date(2020, 1, 1), dt.date(2020, 1, 2)), max_captures=0, source=["x"])
    c = SimpleNamespace(intervals=True, a=SimpleNamespace(scores=[SimpleNamespace(outcome=said)], results=SimpleNamespace(theatre=None)),
                        b=SimpleNamespace(scores=[]), outcomes=[Difference("o0", 0.5, 0.9, 0.125, 0.6)])
    table = outcomes_markdown(c)
    assert column(table, CHANGE) == ["+40.0"] and column(table, intervals_name()) == ["+12.5\u00a0to\u00a0+60.0"], table


def picker_items(rc) -> list[str]:  # noqa: ANN001
    items = rc.find(v.Select).widget.items
    return [i["value"] if isinstance(i, dict) else i for i in items]


def test_a_saved_whatif_is_in_the_scenario_picker_at_once(page):
    """The save message says to pick the file from the list; it was not there until the page was reloaded."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "picked_next")
    button(rc, "Save what-if").click()
    file = saved / "picked_next.yaml"
    assert file.exists()
    assert str(file.resolve()) in picker_items(rc), picker_items(rc)


def test_a_saved_whatif_reopened_shows_its_own_changes_and_the_comparison_describes_b_by_them(page):
    """Reopened, a saved 'no spring shield' showed its toggle unchecked and greyed '(not in no_spring_shield)', and
    the What-if tab said 'B = ... with nothing changed'."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "no_spring_shield")
    button(rc, "Save what-if").click()
    rc.find(v.Select).widget.v_model = str((saved / "no_spring_shield.yaml").resolve())
    (shield,) = [c for c in rc.find(v.Checkbox).widgets if c.label.startswith("No Spring Shield")]
    assert shield.v_model is True and shield.disabled and "not in" not in shield.label, shield.label
    assert "this file" in shield.label, shield.label
    text = texts(box)
    assert "Operation Spring Shield (27 February 2020) removed" in text, "the sidebar says what the file changes"
    run_ensemble(rc, box, n=2)
    rc.find(v.Tabs).widget.v_model = 2
    text = texts(box)
    assert "nothing changed" not in text
    assert re.search(r"B = <strong>[^<]*no_spring_shield.yaml,</strong> which changes from A: Operation Spring Shield "
                     r"\(27 February 2020\) removed", text), re.findall(r"A = .*", text)


def test_a_whatif_longer_than_its_baseline_maps_both_on_the_last_day_both_simulate(page):
    """A what-if running past its baseline's end (`end:` later) had the What-if tab draw its maps on the Ensemble tab's
    date, B's last day, which A does not reach: in their place it said "InputError: 'date': 5 Feb 2020 is outside the
    run", and the Both maps download failed. It maps them, as `python -m sim map A B` does, on the last day both
    simulate, the day its numbers are on."""
    box, rc, saved = page
    (saved / "longer.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'jan_truce.yaml'}\nname: longer\nend: 2020-02-05\n")
    rc.find(v.Select).widget.v_model = str((saved / "longer.yaml").resolve())
    run_ensemble(rc, box, n=2)
    rc.find(v.Tabs).widget.v_model = 2
    text = texts(box)
    assert "outside the run" not in text and "maps on 31 January 2020" in text, re.findall(r"maps on .*|.*outside.*", text)
    (both,) = [d for d in rc.find(FileDownloadWidget).widgets if d.filename.endswith(".png")]
    assert both.filename.endswith("-vs-baseline-2020-01-31.png")


def test_the_comparison_says_when_the_sidebar_has_changed_since_it_ran(page):
    """After switching scenario the What-if tab kept showing the previous comparison with no notice (the Ensemble
    tab warned)."""
    box, rc, _ = page
    run_ensemble(rc, box, n=2, toggle="No Spring Shield")
    rc.find(v.Tabs).widget.v_model = 2
    assert "has changed since" not in texts(box)
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    text = texts(box)
    assert "The sidebar has changed since this comparison ran" in text, text[text.index("What-if vs baseline:"):][:600]


def test_a_toggle_moved_after_an_ensemble_of_the_scenario_as_it_is_asks_for_a_new_run(page):
    """The tab said 'has no baseline: move a slider or a toggle' beside a toggle already moved (a walk-through's find).
    Its box breaks a long scenario name at its edge, as the page's other boxes do (it did not)."""
    from sim.app.breaks import LONG_WORDS, css

    box, rc, _ = page
    run_ensemble(rc, box, n=2)
    rc.find(v.Tabs).widget.v_model = 2
    assert "as it is has no baseline: move a slider or a toggle" in texts(box)
    (info,) = [a for a in rc.find(v.Alert).widgets if "has no baseline" in texts(a)]
    styles = [c.attributes.get("style") for c in info.children if isinstance(getattr(c, "unsafe_innerHTML", None), str)]
    assert styles == [css(LONG_WORDS)], styles
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    text = texts(box)
    assert "move a slider or a toggle" not in text and "the sidebar has changed since: run the ensemble again" in text


@pytest.mark.parametrize("path, words", [
    # The offensive events size the force groups, so the pool rarely matters: it did almost nothing and said nothing.
    ("regime.force", ("Mostly moot", "offensive events")),
    # At 0 and at 2 the campaign ran the same: the Turkish troops arrive after the January truce has broken.
    ("turkey.troop_deterrence", ("Turkish troops", "January truce")),
])
def test_a_slider_that_does_little_says_when_it_matters(page, path, words):
    """A slider that changes little or nothing in the campaign says why, beside it."""
    box, _, _ = page
    text = texts(box)
    at = text.index(path)
    assert all(w in text[at:at + 700] for w in words), text[at:at + 700]


def test_sliders_a_scenario_cannot_use_are_not_shown_and_moscow_has_a_patrol_toggle(page):
    """hts.patrol_block was shown for the campaign, which has no patrols; Moscow had no toggle at all."""
    box, rc, _ = page
    assert "hts.patrol_block" not in texts(box), "the campaign has no joint patrols"
    (patrols,) = [c for c in rc.find(v.Checkbox).widgets if c.label.startswith("No joint patrols")]
    assert patrols.disabled
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    assert "hts.patrol_block" in texts(box)
    (patrols,) = [c for c in rc.find(v.Checkbox).widgets if c.label.startswith("No joint patrols")]
    assert not patrols.disabled
    patrols.v_model = True
    assert "joint-patrols" not in {e.id for e in build(Settings("scenarios/moscow.yaml").with_toggle("no-joint-patrols", True),
                                                      CONTROLS, ROOT).events}


def test_a_slider_whose_events_a_toggle_removes_is_not_shown_saved_or_listed(page):
    """With 'No joint patrols' ticked on Moscow, 'HTS blocking the joint patrols' (hts.patrol_block, which needs joint
    patrols) was still shown, and once moved starred, saved and listed as a change that changed nothing: its `needs`
    were checked against the file's events, not those the toggles leave."""
    box, rc, _ = page
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    assert "hts.patrol_block" in texts(box)
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No joint patrols"][0].v_model = True
    assert "hts.patrol_block" not in texts(box)
    moved = Settings("scenarios/moscow.yaml").with_value("hts.patrol_block", 0.9).with_toggle("no-joint-patrols", True)
    assert changes(moved, CONTROLS, ROOT) == ["No joint patrols"]
    assert "hts" not in whatif_data(moved, CONTROLS, "patrols", ROOT).get("factions", {})
    assert build(moved, CONTROLS, ROOT) == build(moved.with_value("hts.patrol_block", None), CONTROLS, ROOT)
    kept = moved.with_toggle("no-joint-patrols", False)
    assert "HTS blocking the joint patrols (hts.patrol_block)" in changes(kept, CONTROLS, ROOT)[0], "unticked, it counts again"


def test_sliders_and_toggles_read_in_plain_words_first(page):
    """Slider labels were code paths (regime.commit) and the toggles' help sentences never appeared."""
    box, _, _ = page
    text = texts(box)
    commit = text.index("regime.commit")
    assert "How hard the government attacks" in text[commit - 200:commit], text[commit - 200:commit + 50]
    assert CONTROLS.toggle("no-spring-shield").help in text
    assert "(10 Jan 2020)" not in text and "January 2020 Idlib truce (10 January 2020)" in text, "dates in one format"


def test_the_moscow_comparison_shows_patrol_coverage_among_the_key_quantities(page):
    """For Moscow the key quantities left out the patrols, what the ceasefire was about."""
    box, rc, _ = page
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    block = [s for s in rc.find(v.Slider).widgets if s.v_model == 0.627]  # hts.patrol_block
    block[0].v_model = 0.0
    run_ensemble(rc, box, n=2)
    rc.find(v.Tabs).widget.v_model = 2
    quantities = section(texts(box), "(the maps' date): means over the replicates")
    (row,) = [r for r in rows(quantities) if r[0].startswith("joint patrols")]
    assert row[0] == "joint patrols: mean share of the route covered so far", row
    assert all(re.fullmatch(r"\d+(\.\d)?%", cell) for cell in row[1:3]), row


def test_the_key_quantities_name_the_violations_truly_and_caveat_the_casualties(compared):
    """'Violations of the ceasefire in place: 0.9' on 5 March, when none was in place (it is the running count of the
    January truce's); casualties were shown with no caveat, though under a ceasefire they are partial."""
    tab, _, _ = compared
    quantities = section(tab, "(the maps' date): means over the replicates")
    assert "ceasefire in place" not in quantities
    assert "violations of the latest ceasefire so far" in quantities, quantities
    after = tab[tab.index("(the maps' date): means over the replicates"):]
    assert "Casualties are the model's bookkeeping, not estimates" in after[:after.index("Towns")], after[:3000]


def test_a_score_the_scorecard_cannot_give_says_why(page):
    """Moscow's Ensemble scorecard showed '-' with no reason (the What-if tab gave one)."""
    box, rc, _ = page
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    run_ensemble(rc, box, n=1)
    card = ensemble_view.ensemble_task.value.card
    assert np.isnan(card.headline()["capture MAE (days)"])
    scores = texts(box)[texts(box).index("Headline scores: the model against"):]
    assert "capture MAE (days)</strong> is not given (-): none of the outcomes in the window is a dated change of hands" in scores, scores[:3000]


def test_posts_are_named_by_place_and_dates_read_one_way(page):
    """Posts were named 'astana-06' where the post table has a place name; dates came in three formats
    (2020-03-05, 01 December 2019, 23 Dec 2019)."""
    box, rc, _ = page
    text = texts(box)
    assert "Day <strong>0</strong> of 95: <strong>1 December 2019</strong>" in text
    assert "(1 December 2019 to 5 March 2020)" in text, "the scenario's window in the sidebar"
    run_ensemble(rc, box, n=1)
    text = texts(box)
    assert "Showing <strong>5 March 2020</strong>" in text and "The labelled towns on 5 March 2020" in text
    outcomes = section(text, "Outcomes against the record")
    assert "astana-" not in outcomes and "The Turkish post Surman (al-Sirman) is cut off around 23\u00a0December\u00a02019" in outcomes
    assert "truce broken on 15\u00a0January\u00a02020" in outcomes
    shown = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", shown), re.findall(r".{60}\b\d{4}-\d\d-\d\d\b.{20}", shown)[:5]


def test_the_save_form_says_what_it_will_do_and_refuses_a_name_in_use_before_saving(page):
    """Before saving the preview said 'saved as ...'; a name in use was refused only on Save, while the preview's
    'Rerun' line named the existing file (a shipped scenario) as if it were the user's."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "taken")
    assert f"will be saved as {saved / 'taken.yaml'}" in texts(box)
    (saved / "taken.yaml").write_text("extends: elsewhere.yaml\nname: taken\n")  # someone else's file
    save_tab(rc, "taken ")  # typed again: the form looks again
    text = texts(box)
    assert "exists already" in text and "Rerun: python -m sim run" not in text, text[text.index("Save the settings"):][:800]
    assert not [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)]
    save_tab(rc, "fresh")
    button(rc, "Save what-if").click()
    text = texts(box)
    assert "Saved " in text and "exists already" not in text and f"python -m sim run {saved / 'fresh.yaml'}" in text


def downloaded(widget) -> bytes:  # noqa: ANN001
    widget.request_download = True  # what the browser asks for when the button is clicked
    wait_for(lambda: widget.bytes)
    return widget.bytes


def test_downloads_are_named_by_the_change_and_keep_the_run_s_numbers(page):
    """An unsaved what-if downloaded as whatif_campaign_app-... (the CSV said nothing of the change); and the One run
    tab's time series, written to six significant digits, gave the regime force 526.58464 as 526.585, where the run
    folder's timeseries.csv has the number itself: every digit is kept, whole numbers whole, none in e-notation."""
    box, rc, _ = page
    rc.find(v.Select).widget.v_model = "scenarios/moscow.yaml"
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No joint patrols"][0].v_model = False
    [s for s in rc.find(v.Slider).widgets if s.v_model == 0.627][0].v_model = 0.1  # hts.patrol_block
    button(rc, "Reset").click()
    [s for s in rc.find(v.Slider).widgets if (s.min, s.max) == (1, 100)][0].v_model = 20  # Mesa's render interval
    button(rc, "Step").click()  # 20 days: past the first patrols
    wait_for(lambda: "Day <strong>20</strong>" in texts(box), 60)
    series = [d for d in rc.find(FileDownloadWidget).widgets if d.filename.endswith("timeseries.csv")][0]
    text = downloaded(series).decode()
    long = [x for x in re.findall(r"\d+\.\d+", text) if len(x.replace(".", "").lstrip("0")) > 6]  # significant digits
    assert "patrol_coverage" in text and re.search(r",0\.\d+", text) and "526.58464" in long, long[:3]
    assert not re.search(r"\de[+-]\d|\.0(,|$)", text, flags=re.M), "a number in e-notation, or a whole one with .0"
    assert "patrol_block-0.1" in series.filename, series.filename
    run_ensemble(rc, box, n=1)
    files = [d.filename for d in rc.find(FileDownloadWidget).widgets]
    assert files and not any("_app" in f for f in files), files
    assert all("moscow_hts.patrol_block-0.1" in f for f in files if "comparison" in f or "control_prob" in f), files


def test_once_saved_the_form_no_longer_says_will_be_saved(page):
    """After a save the name's line still read 'will be saved as ...' under the 'Saved ...' message."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "done_once")
    button(rc, "Save what-if").click()
    text = texts(box)
    assert f"will be saved as {saved / 'done_once.yaml'}" not in text and f"saved as {saved / 'done_once.yaml'}" in text


def test_a_saved_whatif_is_not_offered_to_be_saved_again(page):
    """A second click on Save what-if, just after a save, refused the file the first had written ('exists already:
    choose another name') and the 'Saved ...' message with its command went."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "once")
    button(rc, "Save what-if").click()
    text = texts(box)
    assert "Saved " in text and not [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)]
    assert [d for d in rc.find(FileDownloadWidget).widgets if d.filename == "once.yaml"], "the YAML still downloads"
    save_tab(rc, "once more")
    assert [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)], "a new name can be saved"


def test_a_save_is_said_only_while_the_sidebar_is_what_was_saved(page):
    """After a save, ticking another toggle left 'Saved ... It resolves to the scenario this page runs' and no Save
    button, above YAML (and a download) with both changes while the file on disk had only the first: 'saved' was
    decided by the file's name alone."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "kept")
    button(rc, "Save what-if").click()
    on_disk = (saved / "kept.yaml").read_text()
    assert "Saved " in texts(box)
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No posts around Saraqib"][0].v_model = True
    text = texts(box)
    assert "Saved " not in text and "resolves to the scenario this page runs" not in text, text[text.index("Save the settings"):][:800]
    assert f"saved as {saved / 'kept.yaml'}" not in text.replace("would be saved as", "")
    assert "exists already" in text, "the name is taken by the first save: said before Save, not after it"
    assert (saved / "kept.yaml").read_text() == on_disk
    save_tab(rc, "kept_both")
    assert [b for b in rc.find(v.Btn).widgets if "Save what-if" in str(b.children)], "the new settings can be saved"
    save_tab(rc, "kept")
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No posts around Saraqib"][0].v_model = False
    assert "Saved " in texts(box), "back to the settings saved: the file is theirs again"


def test_an_interval_is_one_unbroken_cell():
    """The quantities table broke "−117,827 to −90,832" over two lines, the first ending in "to": an interval's words
    are joined by non-breaking spaces, in every table of the comparison."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.app.compare_words import quantities_markdown, scores_markdown, towns_markdown

    quantities = quantities_markdown([Difference("displaced", 492678.0, 387944.0, -117827.0, -90832.0)],
                                     dt.date(2020, 1, 29), intervals=True)
    scores = scores_markdown(SimpleNamespace(headlines=[Difference("outcomes met", 0.40, 0.45, 0.01, 0.09)],
                                             intervals=True, same_runs=False, differs_in=()))
    towns = pd.DataFrame({"town": ["X"], "p_regime_a": [0.925], "p_regime_b": [0.2], "diff": [-0.725],
                          "low": [-0.825], "high": [-0.6]})
    towns_table = towns_markdown(towns, dt.date(2020, 1, 29), SimpleNamespace(intervals=True, date=dt.date(2020, 3, 5)))
    for table in (quantities, scores, towns_table):
        cells = [cell.strip() for line in table.split("\n") for cell in line.strip("|").split("|")]
        inner = [cell for cell in cells if re.fullmatch(r"[−+]?[\d.,]+%?\s+to\s+[−+]?[\d.,]+%?", cell)]
        assert inner and all(" " not in cell and "\u00a0to\u00a0" in cell for cell in inner), table


def test_every_post_is_named_once_as_a_post():
    """The outcomes table read 'The Turkish post Maar Hattat post on the M5 is cut off' and 'The Turkish post
    Al-Eis observation post (Hadhbat al-Khadra)': only a name ending in 'post' lost its word."""
    from sim.app.outcome_words import post_name
    from sim.io.theatre import load_theatre

    theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    sentences = {p.name: f"The Turkish post {post_name(p.name)} is cut off" for p in theatre.posts}
    twice = {name: s for name, s in sentences.items() if len(re.findall(r"\bpost\b", s, flags=re.IGNORECASE)) > 1}
    assert not twice, twice
    assert sentences["Maar Hattat post on the M5"] == "The Turkish post Maar Hattat on the M5 is cut off"
    assert sentences["Al-Eis observation post (Hadhbat al-Khadra)"] == "The Turkish post Al-Eis (Hadhbat al-Khadra) is cut off"
    assert sentences["Surman (al-Sirman) observation post"] == "The Turkish post Surman (al-Sirman) is cut off"
    assert sentences["Post east of Saraqib"] == "The Turkish post east of Saraqib is cut off"
    assert sentences["Mardikh post, S of Saraqib"] == "The Turkish post Mardikh, S of Saraqib is cut off"



def test_a_name_that_cannot_be_saved_is_not_said_to_be_saved(page):
    """The form read 'will be saved as .../campaign.yaml' above 'Cannot be saved: ... the name of the scenario it
    extends', and 'will be saved as X' above 'X exists already'."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "campaign")
    text = texts(box)
    assert "the name of the scenario it extends" in text and "will be saved as" not in text, text[text.index("Save the settings"):][:800]
    assert f"would be saved as {saved / 'campaign.yaml'}" in text
    (saved / "taken.yaml").write_text("extends: elsewhere.yaml\nname: taken\n")
    save_tab(rc, "taken")
    text = texts(box)
    assert "exists already" in text and "will be saved as" not in text and f"would be saved as {saved / 'taken.yaml'}" in text
    save_tab(rc, "free")
    assert f"will be saved as {saved / 'free.yaml'}" in texts(box)


def test_a_name_in_another_script_is_not_said_to_have_no_letters(page):
    """An Arabic name ('درع الربيع') was refused as having 'no letters or digits', and 'désescalade' became
    'd_sescalade' under '(other characters than letters ... become _)': a file name keeps only a–z, A–Z, 0–9."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "درع الربيع")
    text = texts(box)
    assert "has no letters or digits a file name can use (a–z, A–Z, 0–9)" in text, text[text.index("Save the settings"):][:800]
    save_tab(rc, "désescalade")
    text = texts(box)
    assert f"will be saved as {saved / 'd_sescalade.yaml'} (characters other than a–z, A–Z, 0–9, _ . - become _)" in text


def test_a_name_cut_to_fit_a_file_name_is_said_to_be_cut(page):
    """A 300-character name was saved as its first 80 characters under a hint that said only '(characters other than
    a–z ... become _)'; a long name of such characters alone was cut with no hint at all."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    save_tab(rc, "Spring Shield never launched " * 11)
    cut = ("Spring_Shield_never_launched_" * 3)[:80]
    assert f"will be saved as {saved / (cut + '.yaml')} (characters other than a–z, A–Z, 0–9, _ . - become _; cut to its " \
           "first 80 characters)" in texts(box), texts(box)[texts(box).index("Save the settings"):][:800]
    save_tab(rc, "x" * 300)
    assert f"will be saved as {saved / ('x' * 80 + '.yaml')} (cut to its first 80 characters)" in texts(box)
    save_tab(rc, "x" * 80)
    assert f"will be saved as {saved / ('x' * 80 + '.yaml')}" in texts(box) and "cut to" not in texts(box)


def test_the_run_s_time_series_writes_whole_counts_whole(page):
    """The One run tab said 'displaced 1,068,544' and its time series CSV '1.06854e+06' (rounded, and in a
    notation a reader may not expect), where the run folder's timeseries.csv has the count itself."""
    box, rc, _ = page
    [s for s in rc.find(v.Slider).widgets if (s.min, s.max) == (1, 100)][0].v_model = 95  # Mesa's render interval
    button(rc, "Step").click()
    wait_for(lambda: "Day <strong>95</strong>" in texts(box), 120)
    shown = re.search(r"displaced since \d+ \w+ \d+ <strong>([\d,]+)</strong>", texts(box)).group(1)
    series = [d for d in rc.find(FileDownloadWidget).widgets if d.filename.endswith("timeseries.csv")][0]
    text = downloaded(series).decode()
    assert "e+" not in text, [line for line in text.splitlines() if "e+" in line][:2]
    header, last = text.splitlines()[0].split(","), text.splitlines()[-1].split(",")
    assert int(shown.replace(",", "")) >= 1_000_000 and last[header.index("displaced")] == shown.replace(",", "")


def test_the_headline_scores_give_each_score_one_format_as_compare_does(page):
    """The Ensemble tab's scorecard read the frozen front's Brier as 1.4 (1.8, 1.0) beside the model's 0.188, where
    compare writes 1.410: each number was formatted by its own size."""
    box, rc, _ = page
    run_ensemble(rc, box, n=1)
    card = ensemble_view.ensemble_task.value.card
    scores = section(texts(box), "Headline scores")
    brier = re.search(r"<td[^>]*></td>\s*<td[^>]*>frozen front</td>((?:\s*<td[^>]*>[^<]*</td>){3})",
                      scores[scores.index(">Brier<"):])
    shown = re.findall(r">([^<]*)</td>", brier.group(1))
    expected = [card.baseline, card.sets["calibration"].baseline, card.sets["validation"].baseline]
    assert shown == [f"{b['Brier']:.3f}" for b in expected], shown
    mae = re.search(r"<td[^>]*>capture MAE \(days\)</td>\s*<td[^>]*>model</td>\s*<td[^>]*>([^<]*)</td>", scores)
    bound = "≥ " if card.mae_is_lower_bound() else ""  # a capture that never comes in the run: as compare marks it
    assert mae.group(1) == f"{bound}{card.headline()['capture MAE (days)']:.1f}"


def test_the_summary_gives_a_town_s_share_as_the_towns_table_does():
    """The sentence said 'Tronba (62% → 100%)' above the table's '62.5%' (a share of 40 replicates rounded half to
    even), and 'Urum al-Sughra (28% → 65%)' for 27.5%."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.app.compare_words import summary

    towns = pd.DataFrame({"town": ["Tronba", "Urum al-Sughra", "Ariha"], "p_regime_a": [0.625, 0.275, 0.0],
                          "p_regime_b": [1.0, 0.65, 0.325]})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    c = SimpleNamespace(same_runs=False, differs_in=(), intervals=True, headlines=[])
    said = summary(c, [Difference("towns_regime", 116.2, 121.7, 4.5, 6.7)], towns, dt.date(2020, 3, 5), ("A", "B"))
    assert "Tronba (62.5% → 100%), Urum al-Sughra (27.5% → 65%) and Ariha (0% → 32.5%)" in said, said


def test_the_summary_writes_a_fall_with_the_tables_minus_sign():
    """'the government holds 45.1 towns against 57.5 (-12.4, ...)' with a hyphen, where every table writes −12.4;
    and a change that rounds to nothing read '+0.0'."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.app.compare_words import summary

    towns = pd.DataFrame({"town": ["X"], "p_regime_a": [0.5], "p_regime_b": [0.5], "diff": [0.0]})
    c = SimpleNamespace(same_runs=False, differs_in=(), intervals=True, headlines=[])
    fall = summary(c, [Difference("towns_regime", 57.5, 45.1, -13.0, -11.0)], towns, dt.date(2020, 1, 29), ("A", "B"))
    assert "holds 45.1 towns against 57.5 (\u221212.4, means" in fall, fall
    same = summary(c, [Difference("towns_regime", 133.0, 133.0, 0.0, 0.0)], towns, dt.date(2020, 8, 31), ("A", "B"))
    assert "holds 133.0 towns against 133.0 (0.0, means" in same, same



def table_cells(markdown: str, first: str) -> list[str]:
    """The cells of the row of a markdown table whose first cell is ``first``."""
    for line in markdown.split("\n"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == first:
            return cells
    raise AssertionError(f"no row '{first}' in {markdown}")


def number(cell: str) -> float:
    return float(cell.replace("\u2212", "-").replace("+", "").replace(",", "").rstrip("%"))


def test_a_shown_difference_is_the_difference_of_the_numbers_shown_beside_it():
    """The key quantities read 'towns held by the Government: 132.5, 139.2, B − A +6.8' (139.25 and +6.75, each
    rounded half to even on its own): the cells did not subtract. So did the sentence above the maps, and the towns'
    shares of three replicates (33.3% → 66.7%, '+33.3')."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.analysis.comparison import Difference
    from sim.app.compare_words import QUANTITY_WORDS, quantities_markdown, scores_markdown, summary, towns_markdown

    held = Difference("towns_regime", 132.5, 139.25, 5.0, 8.5)
    table = quantities_markdown([held], dt.date(2020, 3, 5), intervals=True)
    assert table_cells(table, QUANTITY_WORDS["towns_regime"])[1:4] == ["132.5", "139.2", "+6.7"], table
    towns = pd.DataFrame({"town": ["X"], "p_regime_a": [1 / 3], "p_regime_b": [2 / 3], "low": [0.0], "high": [0.6]})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    c = SimpleNamespace(same_runs=False, differs_in=(), intervals=True, date=dt.date(2020, 3, 5), headlines=[
        Difference("capture MAE (days)", 8.46, 8.54, 0.05, 0.11), Difference("Brier", 0.1885, 0.2005, 0.01, 0.02)])
    line = summary(c, [held], towns, dt.date(2020, 3, 5), ("A", "B"))
    assert "holds 139.2 towns against 132.5 (+6.7, means" in line, line
    assert table_cells(towns_markdown(towns, dt.date(2020, 3, 5), c), "X")[1:4] == ["33.3%", "66.7%", "+33.4"]
    scores = scores_markdown(c)
    mae = table_cells(scores, "capture MAE (days)")
    assert mae[2:5] == ["8.5", "8.5", "0.0"] and "the same to the precision shown" in mae, mae  # not '+0.1' beside it
    rng = np.random.default_rng(1)
    for a, b in rng.uniform(0, 300, (200, 2)).round(2):  # any pair: the cells subtract
        cells = table_cells(quantities_markdown([Difference("towns_regime", a, b, -1.0, 1.0)], dt.date(2020, 3, 5), True),
                            QUANTITY_WORDS["towns_regime"])
        assert round(number(cells[2]) - number(cells[1]), 1) == number(cells[3]), (a, b, cells)
    for a, b in rng.uniform(0, 1, (200, 2)).round(4):  # shares as a table of numpy numbers holds them, in % to a tenth
        one = pd.DataFrame({"town": ["X"], "p_regime_a": [a], "p_regime_b": [b], "diff": [b - a], "low": [-1.0], "high": [1.0]})
        cells = table_cells(towns_markdown(one, dt.date(2020, 3, 5), c), "X")
        assert round(number(cells[2]) - number(cells[1]), 1) == number(cells[3]), (a, b, cells)


def test_counts_of_people_are_whole_in_every_scenario():
    """Moscow's key quantities read casualties '641.0' and displaced '0.0' where the campaign's read '6,950': a count
    under 1,000 took a tenth. People are counted whole whatever their number; the small counts keep a tenth."""
    from sim.analysis.comparison import Difference
    from sim.app.compare_words import QUANTITY_WORDS, quantities_markdown

    table = quantities_markdown([Difference("casualties_hts", 641.0, 512.3, -200.4, -50.6),
                                 Difference("displaced", 0.0, 0.0, 0.0, 0.0),
                                 Difference("casualties_regime", 6950.4, 7012.6, 10.2, 90.7),
                                 Difference("turkish_deaths", 3.1, 0.0, -4.0, -2.2)], dt.date(2020, 5, 28), intervals=True)
    assert table_cells(table, QUANTITY_WORDS["casualties_hts"])[1:5] == ["641", "512", "\u2212129", "\u2212200\u00a0to\u00a0\u221251"]
    assert table_cells(table, QUANTITY_WORDS["displaced"])[1:4] == ["0", "0", "0"], table
    assert table_cells(table, QUANTITY_WORDS["casualties_regime"])[1:4] == ["6,950", "7,013", "+63"], table
    assert table_cells(table, QUANTITY_WORDS["turkish_deaths"])[1:4] == ["3.1", "0.0", "\u22123.1"], table


def test_the_comparison_tab_says_an_ensemble_is_running_or_has_failed_not_to_run_one(page):
    """Pressing Run ensemble, then opening the What-if tab, read 'Run an ensemble first (Ensemble tab)' while it ran
    (the previous comparison is gone while it runs), and again after it failed, while the Ensemble tab said why."""
    box, rc, _ = page
    run_ensemble(rc, box, n=2, toggle="No Spring Shield")
    rc.find(v.Tabs).widget.v_model = 2
    task = ensemble_view.ensemble_task
    task.state.set(("pending", None, None))  # a second run under way (the real task runs in a thread)
    text = texts(box)
    assert "Run an ensemble first" not in text and "The ensemble is running" in text, text[text.index("What-if vs"):][:400]
    task.state.set(("error", None, InputError("scenarios/gone.yaml", "no such scenario file")))
    text = texts(box)
    assert "Run an ensemble first" not in text and "The ensemble failed" in text and "no such scenario file" in text, \
        text[text.index("What-if vs"):][:400]


def test_the_ensemble_tab_says_what_it_does_once_every_replicate_has_run(page):
    """Round 55: 'running: 100% of the replicates done' stood for most of a 200-replicate ensemble's time (its scoring,
    intervals and maps come after), and read as a hang."""
    box, rc, _ = page
    rc.find(v.Tabs).widget.v_model = 1
    task = ensemble_view.ensemble_task
    task.progress = 40.0  # the test's task redraws the page when its state changes, not its progress
    task.state.set(("pending", None, None))
    assert "running: 40% of the replicates done" in texts(box)
    task.state.set(("not_called", None, None))
    task.progress = 100.0
    task.state.set(("pending", None, None))
    text = texts(box)
    assert "100% of the replicates" not in text and "every replicate has run: scoring them" in text, text[-600:]


def test_the_comparison_heading_keeps_b_minus_a_on_one_line():
    """Its tables' headers kept "B − A" whole on a phone; the What-if tab's heading above them still broke it after
    its B ("B" at a line's end, "− A with 90% bootstrap intervals" below)."""
    from sim.app.compare_words import CHANGE
    from sim.app.ensemble import comparison_heading

    heading = comparison_heading(None)
    assert CHANGE in heading and "B − A" not in heading, heading


def test_the_ensemble_tab_s_tables_download_under_words_saying_what_they_hold(page):
    """The Ensemble tab's table downloads were labelled by their bare file names (CONTROL_PROB.CSV,
    TIMESERIES_QUANTILES.CSV, in capitals on the page) beside 'Probability map (PNG)' and, on the What-if tab, 'Every
    difference (comparison CSV)': each now says what it holds, its results folder's file name after it."""
    box, rc, _ = page
    run_ensemble(rc, box, n=1, toggle="No Spring Shield")
    def words(d) -> str:  # noqa: ANN001 - its button's label, without its icon's name and widget markers
        lines = "\n".join(texts(c) for c in d.children).splitlines()
        return " ".join(x.strip() for x in lines if x.strip() and not x.strip().startswith(("mdi-", "!!")))

    pairs = [(d.filename.rsplit("-", 1)[-1], words(d)) for d in rc.find(FileDownloadWidget).widgets
             if d.filename.endswith(".csv") and "-runs" in d.filename]
    tails = {tail for tail, _ in pairs}
    assert {"control_prob.csv", "timeseries_quantiles.csv", "scores.csv", "outcomes.csv", "comparison.csv"} <= tails, pairs
    bare = [(tail, label) for tail, label in pairs if label != "Every difference (comparison CSV)"  # the What-if tab's
            and not re.fullmatch(rf"[A-Z][a-z][^()]* \({re.escape(tail)}\)", label)]
    assert bare == [], pairs
