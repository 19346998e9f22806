"""The app end to end in a real browser: Debian's headless Chromium, driven by Playwright.

Start ``python -m sim app``; pick a what-if and toggle an event; run an
ensemble; move the date slider; check the towns and probabilities the page
shows; compare with the baseline; save the what-if, and check that
``python -m sim run`` on the saved file gives the very numbers the page
showed. The page may not reach any other host (it must work offline).

Skipped unless the browser and the app extra are installed; ``.ci/run``
installs both (``apt-get install chromium-headless-shell``) and sets
``SIM_REQUIRE_BROWSER``, so that there a missing browser fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .app_browser import (
    ROOT,
    SMALLEST_PHONE,
    browser_page,
    browser_test_marks,
    click_slider_at,
    find_browser,
    open_app,
    pick_scenario,
    run_ensemble,
    shown_date,
    tab,
    table_rows,
    wrapping_faults,
)

BROWSER = find_browser()
pytestmark = browser_test_marks()

from sim.app.figures import NARROW_WIDTH, WIDE_WIDTH  # noqa: E402 - the app extra is installed
from sim.app.panels import SLIDER_BAR  # noqa: E402

WHATIF = "scenarios/whatif/no_saraqib_posts.yaml"
RUNS = 10


def test_a_whatif_from_the_page_to_the_command_line(tmp_path, app_saving_into):
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER) as (page, refused):
        try:
            seconds = open_app(page, app_saving_into(tmp_path))
            assert seconds < 60, f"the page took {seconds:.1f} s to show its first run"
            page.get_by_role("button", name="▶").click()  # SolaraViz's play button steps the run
            # Any day from the third: on a busy machine the page may draw every few days, or the run may even end first.
            page.get_by_text(re.compile(r"^Day (?:[3-9]|[1-9]\d) of 95")).first.wait_for()
            if page.get_by_text("The run has reached the scenario's end").count() == 0:
                page.get_by_role("button", name="❚❚").click()
                page.get_by_role("button", name="▶").wait_for()
            page.wait_for_timeout(1500)  # the step under way when paused is drawn; then the run stands still
            with page.expect_download() as download:
                page.get_by_role("button", name="Time series (CSV)").click()
            series = pd.read_csv(download.value.path())
            assert list(series.columns[:2]) == ["date", "towns_regime"] and len(series) >= 4

            pick_scenario(page, WHATIF)
            page.get_by_text("without the Turkish posts around Saraqib").first.wait_for()
            page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
            page.get_by_text("No Spring Shield").nth(1).wait_for()  # listed under "Changed"

            run_ensemble(page, RUNS, of=WHATIF)
            assert page.get_by_text(f"its baseline {WHATIF}").count() > 0, "the baseline is the picked what-if"
            assert shown_date(page) == "2020-03-05"
            date_slider = page.locator(".v-input", has=page.locator("label", has_text="Day")).first
            click_slider_at(date_slider, 0.55)
            page.wait_for_function("() => !document.body.innerText.includes('Showing 5 March 2020')")
            date = shown_date(page)
            # The towns' table is drawn after the date above it: read on a busy machine before it was, it came out
            # short of a town or two (twice in round 63). Its heading names its day.
            words = f"{int(date[8:])} {dt.date.fromisoformat(date):%B %Y}"
            page.get_by_text(f"The labelled towns on {words}").first.wait_for()
            towns = table_rows(page, "P(Government)")
            held = page.get_by_text(re.compile(r"^Towns held on that day")).first.inner_text()
            page.screenshot(path=str(tmp_path / "ensemble.png"), full_page=True)
            assert {"Saraqib", "Maarat al-Numan", "Idlib city", "Ariha", "Khan Shaykhun"} <= set(towns)
            assert all(0 <= float(p) <= 1 for row in towns.values() for p in row[:3])

            tab(page, "What-if vs baseline")
            page.get_by_text("paired (same seeds)").first.wait_for(timeout=60_000)
            scores = table_rows(page, "B \u2212 A")
            assert "outcomes met" in scores and "90% interval" in page.locator("th").all_inner_texts(), scores
            with page.expect_download() as download:
                page.get_by_role("button", name="Every difference (comparison CSV)").click()
            every = pd.read_csv(download.value.path())
            assert set(every["section"]) == {"score", "outcome", "date_shift", "quantity", "town_p_regime"}, "every row, as compare writes"

            tab(page, "Save & export")
            page.get_by_label("Name of the what-if").fill("whatif_e2e")
            page.get_by_role("button", name="Save what-if").click()
            page.get_by_text(re.compile("^Saved ")).first.wait_for()
            with page.expect_download() as download:
                page.get_by_role("button", name="Download the YAML").click()
            assert "- spring-shield" in Path(download.value.path()).read_text(encoding="utf-8")
            page.screenshot(path=str(tmp_path / "saved.png"), full_page=True)
        finally:
            page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
        assert refused == [], f"the page tried to reach other hosts: {refused}"

    saved = tmp_path / "whatif_e2e.yaml"
    text = saved.read_text()
    assert "no_saraqib_posts.yaml" in text and "- spring-shield" in text
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "sim", "run", str(saved), "--runs", str(RUNS), "--out", str(out), "-q"],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    prob = pd.read_csv(out / "control_prob.csv")
    prob = prob[prob["date"] == date].set_index("town")
    for town, (p_regime, p_hts, p_rebels, *_) in towns.items():
        assert (p_regime, p_hts, p_rebels) == tuple(f"{prob.loc[town, f'p_{h}']:.2f}" for h in ("regime", "hts", "rebels")), town
    q = pd.read_csv(out / "timeseries_quantiles.csv")
    mean = q[(q["date"] == date) & (q["variable"] == "towns_regime")]["mean"].iloc[0]
    assert f"Government {mean:.1f}" in held, (held, mean)


SIDEBAR_AND_PAGE = """() => {
  const d = document.querySelector('.v-navigation-drawer');
  const h = [...document.querySelectorAll('h3')].find(e => e.innerText.startsWith('One run'));
  return [d.getBoundingClientRect().width, d.getBoundingClientRect().right, h.getBoundingClientRect().left];
}"""


def test_the_sidebar_keeps_its_width_and_wraps_long_labels(tmp_path, shared_app):
    """With a what-if picked, the greyed toggles' labels ('(not in whatif_...)') widened the sidebar, which then hid
    the first letters of the page ('ay 0' for 'Day 0')."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1280) as (page, refused):
        open_app(page, shared_app)
        width, _, _ = page.evaluate(SIDEBAR_AND_PAGE)
        pick_scenario(page, "scenarios/whatif/hts_accepts_moscow.yaml")
        page.get_by_text("This what-if file changes").first.wait_for()
        page.wait_for_timeout(500)
        after, right, left = page.evaluate(SIDEBAR_AND_PAGE)
        page.screenshot(path=str(tmp_path / "sidebar.png"))
        assert after == width, (width, after)
        assert right <= left, f"the sidebar ({right} px) covers the page's text (from {left} px)"
        assert refused == []


# The bottom of the text above the day slider and the top of the slider's value bubble, on the page.
ABOVE_AND_BUBBLE = """() => {
  const text = [...document.querySelectorAll('p')].find(e => / replicates? of /.test(e.innerText));
  const label = [...document.querySelectorAll('.v-input label')].find(e => e.innerText.trim() === 'Day');
  const bubble = label.closest('.v-input').querySelector('.v-slider__thumb-label');
  const shown = getComputedStyle(bubble.closest('.v-slider__thumb-label-container')).display !== 'none';
  return [text.getBoundingClientRect().bottom, bubble.getBoundingClientRect().top, shown];
}"""


def test_the_day_sliders_value_bubble_does_not_cover_the_text_above_it(tmp_path, shared_app):
    """The Ensemble tab's day slider showed its day in a bubble above the thumb, over the line of text above the
    slider (the replicates' what-if and baseline): the slider now keeps room for it."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1680, height=1050) as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, "scenarios/whatif/jan_truce_holds.yaml")  # a long line above the slider, as in the README's
        run_ensemble(page, 2)
        click_slider_at(page.locator(".v-input", has=page.locator("label", has_text="Day")).first, 0.62)
        page.wait_for_function("() => !document.body.innerText.includes('Showing 5 March 2020')")
        page.wait_for_timeout(500)  # the bubble's transition
        bottom, top, shown = page.evaluate(ABOVE_AND_BUBBLE)
        page.screenshot(path=str(tmp_path / "day_slider.png"))
        assert shown, "the bubble is shown after a click (else this test measures nothing)"
        assert top >= bottom, f"the bubble (from {top:.0f} px) covers the text above it (to {bottom:.0f} px)"
        assert refused == []


HEADING_AND_TABLE = """() => {
  const heading = [...document.querySelectorAll('p')].find(e => e.innerText.startsWith('Towns the runs most often get wrong'));
  const table = heading.parentElement.querySelector('table');
  return [heading.getBoundingClientRect().left, table.getBoundingClientRect().left, table.getBoundingClientRect().width,
          heading.getBoundingClientRect().width];
}"""


def test_a_table_narrower_than_the_page_starts_under_its_heading(tmp_path, shared_app):
    """Jupyter's stylesheet, which Solara's Markdown uses, centres every table: the Ensemble tab's towns the runs get
    wrong, narrower than the outcomes above them, stood in the middle of the page, away from their heading."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1680, height=1050) as (page, refused):
        open_app(page, shared_app)
        run_ensemble(page, 2)
        page.get_by_text("Towns the runs most often get wrong").first.wait_for()
        heading, table, width, room = page.evaluate(HEADING_AND_TABLE)
        assert width < room - 100, "the table is narrower than the page (else this test measures nothing)"
        assert abs(table - heading) < 2, f"the table starts at {table:.0f} px, its heading at {heading:.0f} px"
        assert refused == []


PREVIEW = """() => {
  const pre = [...document.querySelectorAll('pre')].find(e => e.innerText.includes('extends:'));
  const box = pre.closest('.highlight');
  const page = document.documentElement;
  return [page.scrollWidth, page.clientWidth, box.getBoundingClientRect().right, getComputedStyle(box).overflowX,
          box.scrollWidth > box.clientWidth, pre.getBoundingClientRect().right];
}"""


def test_the_save_preview_of_a_long_name_stays_in_its_box(tmp_path, app_saving_into):
    """With a 300-character name the YAML preview spilled out of its grey box and off the page: its long header line
    and the rerun command's long path set the width its lines wrapped at. The box now keeps the page's width, and its
    lines, kept whole (a path cut at the box's edge read as two words), scroll sideways inside it."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1280) as (page, refused):
        open_app(page, app_saving_into(tmp_path))
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        page.get_by_text("No Spring Shield").nth(1).wait_for()
        tab(page, "Save & export")
        page.get_by_label("Name of the what-if").fill("Spring Shield never launched " * 11)
        page.get_by_text(re.compile("never launched. Saved from the browser app")).first.wait_for()
        page_scroll, page_width, box_right, box_overflow, box_scrolls, pre_right = page.evaluate(PREVIEW)
        page.screenshot(path=str(tmp_path / "save_preview.png"))
        assert page_scroll <= page_width, f"the page scrolls sideways ({page_scroll} px wide in {page_width})"
        assert box_right <= page_width, f"the preview's box (to {box_right:.0f} px) leaves the page ({page_width} px)"
        assert pre_right <= box_right, f"the preview's text (to {pre_right:.0f} px) leaves its box (to {box_right:.0f} px)"
        assert box_scrolls and box_overflow in ("auto", "scroll"), (box_scrolls, box_overflow)  # the long line, whole
        assert refused == []


def test_two_tabs_of_one_server_save_into_the_folders_their_addresses_name(tmp_path, app_saving_into):
    """Two tabs of one browser (one Solara session cookie) on one server, their addresses naming two folders: each
    says it saves into its own, saves there, and lists its own what-if in its picker, not the other's."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    folders = {"a": tmp_path / "group_a", "b": tmp_path / "group_b"}
    said, listed = {}, {}
    with browser_page(BROWSER, width=1280) as (page, refused):
        tabs = {"a": page, "b": page.context.new_page()}
        for which, shown in tabs.items():
            open_app(shown, app_saving_into(folders[which]))
        for which, shown in tabs.items():  # each saves once both are open
            shown.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
            shown.get_by_text("No Spring Shield").nth(1).wait_for()
            tab(shown, "Save & export")
            shown.get_by_label("Name of the what-if").fill(f"mine {which}")
            shown.get_by_role("button", name="Save what-if").click()
            said[which] = shown.get_by_text(re.compile("^Saved ")).first.inner_text()
        for which, shown in tabs.items():
            shown.locator(".v-select").first.click()
            listed[which] = [t for t in shown.locator(".v-menu__content .v-list-item").all_inner_texts() if "mine_" in t]
            shown.keyboard.press("Escape")
        assert refused == []
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml")} == {"group_a/mine_a.yaml", "group_b/mine_b.yaml"}
    assert {w: s.split(". It resolves")[0].replace("\u200b", "") for w, s in said.items()} == {
        w: f"Saved {folders[w] / f'mine_{w}.yaml'}" for w in folders}, said
    assert {w: [t.replace("\u200b", "").replace("\n", "") for t in ts] for w, ts in listed.items()} == {
        w: [str(folders[w] / f"mine_{w}.yaml")] for w in folders}, listed


# Whether the last cell of each table's first row is shown, not covered by another element nor cut off by its column.
TOWNS_AND_SCORES = """() => {
  const shown = words => {
    const table = [...document.querySelectorAll('table')].find(t => t.innerText.includes(words));
    const cells = table.querySelectorAll('tbody tr:first-child td');
    const cell = cells[cells.length - 1];
    cell.scrollIntoView({block: 'center'});
    for (let e = cell; e; e = e.parentElement) e.scrollLeft = 0;  // as the page stands: no one scrolls it sideways
    const box = cell.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const found = document.elementFromPoint(x, y);
    return [cell.innerText, Math.round(x), found !== null && cell.contains(found)];
  };
  return [shown('P(Government)'), shown('outcomes met')];
}"""


def test_the_towns_and_the_scores_are_whole_on_a_narrow_page(tmp_path, shared_app):
    """At 1024 px the Ensemble tab's two half-width columns were narrower than their tables: the towns table's last
    column (P(Turkish-backed rebels)) was cut off by its column, and the headline scores' validation column ran off
    the page."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1024, height=768) as (page, refused):
        open_app(page, shared_app)
        run_ensemble(page, 2)
        page.get_by_text("Headline scores").first.wait_for()
        page.wait_for_timeout(500)
        towns, scores = page.evaluate(TOWNS_AND_SCORES)
        page.screenshot(path=str(tmp_path / "towns_and_scores.png"))
        for header, x, shown in (towns, scores):
            assert shown, f"the column '{header}' (at {x} px) is covered or cut off"
        assert refused == []


PHONE = 420  # CSS pixels: a phone held upright
LEGEND_TEXT = 8 / 72 * 100  # the map legend's text at its own size, in pixels: 8 pt at the figure's 100 dpi
# The scale at which the One run map's legend is shown: its picture's width on the page over its own (the picture of
# the map and legend, the first, where they are one).
LEGEND_SCALE = """() => {
  const pictures = document.querySelectorAll('.sim-map img');
  const legend = pictures.length ? pictures[pictures.length - 1] : document.querySelector('.sim-figure');
  return legend.getBoundingClientRect().width / legend.naturalWidth;
}"""
# What ends right of the page in the shown tab, other than inside a box that scrolls sideways (a wide table's).
OFF_PAGE = """() => {
  const shown = document.querySelectorAll('.v-window-item--active');
  if (shown.length !== 1) return [`${shown.length} tabs shown`];
  return [...shown[0].querySelectorAll('*')].filter(e => {
  const box = e.getBoundingClientRect();
  if (box.width === 0 || box.right <= window.innerWidth + 1) return false;
  for (let a = e.parentElement; a !== shown[0]; a = a.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX) && a.getBoundingClientRect().right <= window.innerWidth + 1) return false;
  }
  return true;
}).map(e => `${e.tagName} '${e.innerText.slice(0, 30)}' to ${Math.round(e.getBoundingClientRect().right)} px`);
}"""
WIDTHS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
TOWN_NAMES = 7.5 / 72 * 100  # the two-map figures' town names at their own size, in pixels
# The scales at which the shown tab's two-map figure shows its maps and its keys (the legend's columns, a shared colour
# bar): the smallest of each. Where the figure is one picture (the code before), it is the scale of both.
PIECES_SCALES = """() => {
  const shown = document.querySelector('.v-window-item--active');
  const scale = e => e.getBoundingClientRect().width / e.naturalWidth;
  const row = shown.querySelector('.sim-pieces');
  if (!row) return Array(2).fill(scale(shown.querySelector('.sim-figure')));
  const pictures = [...row.querySelectorAll('img')];
  return [pictures.filter(e => e.closest('.sim-piece-map')), pictures.filter(e => !e.closest('.sim-piece-map, .sim-piece-title'))]
    .map(some => Math.min(...some.map(scale)));
}"""
# The other figures' pictures in the shown tab (the One run's time series; the Ensemble's towns held, drawn at twice its
# own resolution, is measured at every width below): the scale at which each is shown, its width on the page over its
# own; the maps' pictures (in ``maps``, a selector) are measured above.
FIGURE_SCALES = """maps => {
  const shown = document.querySelector('.v-window-item--active');
  const theirs = shown.querySelector(maps);
  return [...shown.querySelectorAll('img')].filter(e => e.getBoundingClientRect().width > 0 && !theirs.contains(e))
    .map(e => e.getBoundingClientRect().width / e.naturalWidth);
}"""
FIGURE_TEXT = 8 / 72 * 100  # their smallest text at their own size (test_app.py checks it): 8 pt at 100 dpi


# The One run time series' columns on the page: where each picture starts, its top and its bottom.
SERIES_COLUMNS = """() => [...document.querySelectorAll('.v-window-item--active .sim-piece-map img')]
  .map(e => { const box = e.getBoundingClientRect(); return [box.left, box.top, box.bottom]; })"""


def test_the_time_series_columns_side_by_side_line_up(tmp_path, shared_app):
    """On a wide page the One run time series' right column (its panels alone) ended 44 px above the left one (whose
    legend stands above its panel): the pictures were of unequal height, both hung from the top of the row."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1680, height=1050) as (page, refused):
        open_app(page, shared_app)
        page.locator(".sim-piece-map img").nth(1).wait_for()
        columns = page.evaluate(SERIES_COLUMNS)
        page.screenshot(path=str(tmp_path / "series.png"))
        assert len(columns) == 2 and columns[1][0] > columns[0][0], f"the columns are not side by side: {columns}"
        (_, top, bottom), (_, other_top, other_bottom) = columns
        assert abs(top - other_top) <= 2 and abs(bottom - other_bottom) <= 2, \
            f"the left column spans {top:.0f}-{bottom:.0f} px, the right one {other_top:.0f}-{other_bottom:.0f} px"
        assert refused == []


# The Ensemble's towns held as the page shows it: its room, and those of its two pictures shown (one, by the container
# query): which, its width on the page and its picture's own.
TOWNS_HELD = """() => {
  const either = document.querySelector('.v-window-item--active .sim-either');
  const shown = [...either.querySelectorAll('img')].filter(e => e.getBoundingClientRect().width > 0);
  return [either.getBoundingClientRect().width,
          shown.map(e => [e.closest('.sim-wide') ? 'wide' : 'narrow', e.getBoundingClientRect().width, e.naturalWidth])];
}"""
DRAWN = {"wide": WIDE_WIDTH * 100, "narrow": NARROW_WIDTH * 100}  # each figure's width at its own 100 dpi, in pixels


def test_the_towns_held_fills_its_room_at_every_width(tmp_path, shared_app):
    """At 1024 px the Ensemble's towns held (the narrow figure, the container query's pick for a 600-px column) was
    shown at its own 390 px, a third of the column empty and its text 11 px; at 768 px it took 390 of 744, and at
    1680 px the wide one 1000 of 1256."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1024, height=900) as (page, refused):
        open_app(page, shared_app)
        run_ensemble(page, 2)
        wrong = {}
        for width in (360, 420, 768, 1024, 1280, 1680):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(500)  # Vuetify's layout follows the window's size a moment later
            room, shown = page.evaluate(TOWNS_HELD)
            assert len(shown) == 1, f"at {width} px the page shows {len(shown)} of the towns held's pictures"
            (which, wide, own), = shown
            text = FIGURE_TEXT * wide / DRAWN[which]
            # Its room filled, or as wide as is sensible (its text 15 px or more); never blurred (a pixel of its picture
            # for each one shown); its text never under 9 px, nor over 17 (the page's is 14 px, its headings' 20).
            if not ((wide >= 0.9 * room or text >= 15) and own >= wide and 9 <= text <= 17):
                wrong[width] = f"{which} figure {wide:.0f} px wide of {room:.0f}, its text {text:.1f} px, its picture {own} px"
        page.screenshot(path=str(tmp_path / "towns_held.png"))
        assert wrong == {}
        assert refused == []


def off_page(page) -> list[str]:  # noqa: ANN001
    """What runs off the page in the shown tab, once it has slid in (it slides in from the side)."""
    page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
    scroll_width, width = page.evaluate(WIDTHS)
    return ([f"the page scrolls sideways ({scroll_width} px wide)"] if scroll_width > width else []) + page.evaluate(OFF_PAGE)


def test_a_phone_width_page_is_readable_and_stays_on_the_page(tmp_path, shared_app):
    """At 420 px the run map's legend, drawn beside the map in one picture, was scaled with it to text 4 px high; the
    download buttons and the wide tables (the outcomes, the comparison's scores) ran off the page, cut off. The
    Ensemble's and the comparison's two maps, with their legend below, were one picture: town names and legend text
    3 px high. The time series and the towns held, each one picture scaled to the page, had text 6 and 4 px high."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    whatif = "scenarios/whatif/jan_truce_holds.yaml"
    with browser_page(BROWSER, width=PHONE, height=900) as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, whatif)  # Mesa's sidebar lies over a narrow page, open, until a tap outside it
        page.get_by_role("button", name="Reset").click()
        page.get_by_text(f"One run: {whatif}").first.wait_for()
        page.mouse.click(PHONE - 5, 450)
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        page.wait_for_timeout(500)
        scale = page.evaluate(LEGEND_SCALE)
        figures = {"One run's time series": page.evaluate(FIGURE_SCALES, ".sim-map")}
        found = {"One run": off_page(page)}
        run_ensemble(page, 2, of=whatif)
        page.get_by_text("Outcomes against the record").first.wait_for()
        found["Ensemble"] = off_page(page)
        text = {"Ensemble": page.evaluate(PIECES_SCALES)}
        tab(page, "What-if vs baseline")
        page.get_by_text("paired (same seeds)").first.wait_for(timeout=60_000)
        found["What-if vs baseline"] = off_page(page)
        text["What-if vs baseline"] = page.evaluate(PIECES_SCALES)
        assert scale * LEGEND_TEXT >= 10, f"the map legend's text is {scale * LEGEND_TEXT:.1f} px high"
        for where, (maps, keys) in text.items():  # the maps at the page's width, the legend at its own size
            assert maps * TOWN_NAMES >= 7 and keys * LEGEND_TEXT >= 9, \
                f"{where}: town names {maps * TOWN_NAMES:.1f} px high, legend text {keys * LEGEND_TEXT:.1f} px"
        for where, scales in figures.items():  # axes, ticks and legends at 9 px or more
            assert scales and min(scales) * FIGURE_TEXT >= 9, f"{where}: text {min(scales, default=0) * FIGURE_TEXT:.1f} px high"
        assert found == dict.fromkeys(found, []), found
        assert refused == []


# Which of the page's things a tap at each's centre reaches (the drawer lies over what it covers): the ☰ button, the
# One run heading; and the open sidebar's right edge.
REACHED = """() => {
  const reached = e => { const b = e.getBoundingClientRect();
    return e.contains(document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)); };
  const heading = [...document.querySelectorAll('h3')].find(e => e.innerText.startsWith('One run'));
  const open = document.querySelector('.v-navigation-drawer--open');
  return [reached(document.querySelector('.v-app-bar__nav-icon')), reached(heading), open && open.getBoundingClientRect().right];
}"""
# What of the open sidebar is cramped: what runs past its right edge, the sliders whose bar is too short to drag, the
# labels whose text runs out of their box (over what lies below), and the cards' titles cut inside a word.
SIDEBAR_CRAMPED = """bar => {
  const drawer = document.querySelector('.v-navigation-drawer--open');
  const edge = drawer.getBoundingClientRect().right, box = e => e.getBoundingClientRect();
  const named = e => (e.closest('.v-input') || e).querySelector('.v-label')?.innerText || e.innerText.trim();
  const cut = title => [...title.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).flatMap(n =>
    [...n.data.matchAll(/\\S+/g)].filter(m => { const r = document.createRange();
      r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length); return r.getClientRects().length > 1; }).map(m => m[0]));
  return [...[...drawer.querySelectorAll('button, .v-input')].filter(e => box(e).right > edge + 1)
            .map(e => `'${named(e)}' runs to ${Math.round(box(e).right)} px`),
          ...[...drawer.querySelectorAll('.v-slider')].filter(e => box(e).width < bar)
            .map(e => `the slider '${named(e)}' is ${Math.round(box(e).width)} px long`),
          ...[...drawer.querySelectorAll('.v-label')].filter(e => e.scrollHeight > e.clientHeight + 1)
            .map(e => `the label '${e.innerText}' runs out of its box`),
          ...[...drawer.querySelectorAll('.v-card__title')].flatMap(cut).map(word => `the title's '${word}' is cut`)];
}"""


def test_a_phone_user_can_close_the_sidebar(tmp_path, shared_app):
    """At 360 px Mesa's sidebar (400 px wide), open over the page as the page opens, covered all of it and the ☰ button
    that toggles it: nothing was left beside it to tap, so it could not be closed."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.wait_for_timeout(500)  # the drawer slides in
        _, _, right = page.evaluate(REACHED)
        page.screenshot(path=str(tmp_path / "open.png"))
        assert right is not None, "the sidebar is not open as the page opens"
        page.mouse.click(SMALLEST_PHONE - 10, 400)  # a tap at the page's right edge, beside the sidebar
        page.wait_for_timeout(500)  # it slides out
        page.screenshot(path=str(tmp_path / "closed.png"))
        assert page.evaluate(REACHED) == [True, True, None], "the ☰ button, the page's heading, the sidebar's edge"
        assert SMALLEST_PHONE - right >= 48, f"the sidebar ends at {right:.0f} px: too little room beside it for a finger"
        page.locator(".v-app-bar__nav-icon").click()
        page.locator(".v-navigation-drawer--open").wait_for()
        cramped = {}
        for width in (SMALLEST_PHONE, 320):  # and on the narrowest page the app is laid out for
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(500)
            cramped[width] = page.evaluate(SIDEBAR_CRAMPED, SLIDER_BAR)
        page.screenshot(path=str(tmp_path / "reopened.png"))
        assert cramped == dict.fromkeys(cramped, []), cramped
        assert refused == []


# The shown tab's height, and its tables taller on the page than the window: the first words of each, its height on the
# page and its rows'.
TALL_TABLES = """() => {
  const shown = document.querySelector('.v-window-item--active');
  return [shown.getBoundingClientRect().height, [...shown.querySelectorAll('table')]
    .filter(t => t.getBoundingClientRect().height > window.innerHeight)
    .map(t => `'${t.innerText.slice(0, 20)}' ${Math.round(t.getBoundingClientRect().height)} px high (rows ${t.scrollHeight} px)`)];
}"""


def test_the_ensemble_tab_is_a_sensible_length_on_a_phone(tmp_path, shared_app):
    """At 360 px the Ensemble tab was 19,700 px long (13,500 at 1280): its 175 outcomes, a sentence each, four or five
    lines a row in a phone's column, were 14,100 px of it, and the towns the runs get wrong and the downloads came
    after them. A table taller than the window scrolls in a box of its own, every row still in it."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1280, height=800) as (page, refused):
        open_app(page, shared_app)
        run_ensemble(page, 2)
        page.get_by_text("Outcomes against the record").first.wait_for()
        tall, heights = {}, {}
        for width in (SMALLEST_PHONE, PHONE, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(500)  # Vuetify's layout follows the window's size a moment later
            heights[width], found = page.evaluate(TALL_TABLES)
            if found:
                tall[width] = found
        page.screenshot(path=str(tmp_path / "ensemble.png"))
        outcomes = table_rows(page, "frozen front meets it")
        assert len(outcomes) >= 100, f"the outcomes' rows are all in the table: {len(outcomes)}"
        assert tall == {}, (tall, heights)
        assert refused == []


# The tops of the sidebar's Reset, play and Step buttons.
CONTROLS_ROW = """() => ['Reset', '▶', 'Step'].map(name => [...document.querySelectorAll('.v-navigation-drawer--open button')]
  .find(e => e.innerText.trim().toLowerCase() === name.toLowerCase()).getBoundingClientRect().top)"""


def test_a_phone_has_the_run_buttons_on_one_line(tmp_path, shared_app):
    """At 360 px Mesa's Reset, play and Step buttons took two lines of the sidebar: Step went under Reset."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.locator(".v-navigation-drawer--open").wait_for()
        tops = {}
        for width in (SMALLEST_PHONE, 320):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(500)
            tops[width] = page.evaluate(CONTROLS_ROW)
        page.screenshot(path=str(tmp_path / "buttons.png"))
        assert all(len(set(t)) == 1 for t in tops.values()), f"the buttons' tops: {tops}"
        assert refused == []


# How the open sidebar's words wrap: none cut over two lines other than where a path may break (after '/', '_' or '-')
# or one too long for its line, none off the page, no punctuation beginning a line (wrapping_faults).
def test_a_path_in_the_sidebar_breaks_between_its_parts(tmp_path, shared_app):
    """A scenario's path in the sidebar broke inside a word where it met the edge ('scenarios/whatif/no_mos' /
    'cow_agreement_turkey_st' / 'ands_down.yaml', 'campaign.yam' / 'l', and in the greyed toggles' labels), even at
    1024 px: it breaks after a '/' or '_'."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.locator(".v-navigation-drawer--open").wait_for()
        cut = {"campaign": wrapping_faults(page, ".v-navigation-drawer--open")}
        pick_scenario(page, "scenarios/whatif/no_moscow_agreement_turkey_stands_down.yaml")
        page.get_by_text("This what-if file changes").first.wait_for()
        for width in (SMALLEST_PHONE, 320, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(500)
            if page.locator(".v-navigation-drawer--open").count() == 0:
                page.locator(".v-app-bar__nav-icon").click()
                page.locator(".v-navigation-drawer--open").wait_for()
            cut[width] = wrapping_faults(page, ".v-navigation-drawer--open")
        page.screenshot(path=str(tmp_path / "paths.png"))
        assert cut == dict.fromkeys(cut, {}), cut
        assert refused == []
