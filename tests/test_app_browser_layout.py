"""The page's frame in a real browser (headless Chromium, as tests/test_app_browser.py): what lies between the app bar
and the tabs, on a wide page and on a phone; a phone's page in the dark theme; and the app bar of a page whose address
is refused."""

from __future__ import annotations

import re

import pytest

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
    tab,
    wrapping_faults,
)

BROWSER = find_browser()
pytestmark = browser_test_marks()

WHATIF = "scenarios/whatif/jan_truce_holds.yaml"
# Solara's padding round the page's content, the same on every side: the tabs are that far under the app bar.
CONTENT_PADDING = 12  # pixels
# The app bar's bottom, the tabs' top, and the padding round the content (its left side, as the tabs' margin there).
GAP = """() => {
  const bar = document.querySelector('.v-app-bar').getBoundingClientRect();
  const tabs = document.querySelector('.v-tabs').getBoundingClientRect();
  return {bar: Math.round(bar.bottom), tabs: Math.round(tabs.top)};
}"""


@pytest.mark.parametrize("width", [1366, SMALLEST_PHONE])
def test_the_tabs_sit_under_the_app_bar(tmp_path, shared_app, width):
    """An empty band about 60 px high lay between the app bar and the tabs at every width: SolaraViz's and the
    sidebar's placeholders (Solara's AppBar and Sidebar leave an empty div in the page, meant to be hidden but not,
    its style written 'display; none'), each a box of the page's column, with the column's 12-px gaps between them."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=width, height=800) as (page, refused):
        open_app(page, shared_app)
        found = page.evaluate(GAP)
        page.screenshot(path=str(tmp_path / "top.png"))
        assert found["tabs"] - found["bar"] <= CONTENT_PADDING, found
        assert refused == []


# The text of the element ``root`` (a selector) that reads faintly: each text node's colour, laid over the background
# under it (the backgrounds of its ancestors whose box holds the text's first line, each laid over the next, up to the
# first opaque one, else the page's; a slider's tick, a 2-px mark, holds its date's label but is not under it, and a
# table holds no cell scrolled out of its box), with a contrast ratio
# under WCAG's 4.5 for body text. A disabled control's words (a greyed toggle) are meant to read faintly: left out.
FAINT_TEXT = """(root) => {
  const rgba = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => c.slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const page = rgba(getComputedStyle(document.querySelector('.v-application')).backgroundColor);  // the theme's
  const background = (el, line) => {
    const layers = [], x = (line.left + line.right) / 2, y = (line.top + line.bottom) / 2;
    for (let a = el; a; a = a.parentElement) {
      const box = a.getBoundingClientRect();
      if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
      const b = rgba(getComputedStyle(a).backgroundColor);
      if (b[3] > 0) layers.push(b);
      if (b[3] >= 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), page);
  };
  const faint = [], walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  const r = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    r.selectNodeContents(n);
    const line = [...r.getClientRects()].find(b => b.width > 0);
    if (!n.data.trim() || !line || el.closest('.v-input--is-disabled')) continue;
    const under = background(el, line), ink = over(rgba(getComputedStyle(el).color), under);
    const [hi, lo] = [lum(ink), lum(under)].sort((a, b) => b - a), ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) faint.push(`'${n.data.trim().slice(0, 40)}': ${ratio.toFixed(1)}`);
  }
  return faint;
}"""
# The first label column's cells in the table's hovered row (a phone's tap leaves its row so) that a scrolled cell shows
# through: their background's alpha, under 1.
SEEN_THROUGH = """(table) => [...table.querySelectorAll('tbody tr:hover > :is(td, th)')]
  .filter(c => getComputedStyle(c).position === 'sticky')
  .map(c => getComputedStyle(c).backgroundColor).filter(c => (c.match(/[\\d.]+/g)[3] ?? '1') !== '1')"""


def test_a_phone_in_the_dark_theme_reads_clearly(tmp_path, shared_app):
    """Never looked at in the dark theme on a phone (the page follows the system's until its toggle is tapped): the
    sidebar's lines under its toggles and sliders kept their grey of the light theme (#616161), faint on the dark card
    (contrast 2.7), and a hovered row's label columns, kept in view, took the dark theme's hover colour, which lets
    what scrolls under them show through ('governm27 Feb 2020 2...')."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=740, color_scheme="dark") as (page, refused):
        open_app(page, shared_app)
        assert page.locator(".v-application.theme--dark").count() == 1
        pick_scenario(page, WHATIF)  # a what-if: the comparison has a baseline to set it against
        page.locator(".v-navigation-drawer .v-expansion-panel-header").first.click()  # the first sliders' lines too
        page.locator(".v-navigation-drawer .v-expansion-panel-content").first.wait_for()
        found = {"app bar": page.evaluate(FAINT_TEXT, ".v-app-bar"), "sidebar": page.evaluate(FAINT_TEXT, ".v-navigation-drawer")}
        page.screenshot(path=str(tmp_path / "sidebar.png"))
        page.mouse.click(SMALLEST_PHONE - 5, 450)  # the sidebar, open over a narrow page, closed
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        found["One run"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        run_ensemble(page, 2, of=WHATIF)
        found["Ensemble"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        tab(page, "What-if vs baseline")
        page.get_by_text("paired (same seeds)").first.wait_for(timeout=60_000)
        found["What-if vs baseline"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        table = page.locator(".v-window-item--active table", has=page.locator("th", has_text="quantity")).first
        table.scroll_into_view_if_needed()
        table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
        table.locator("tbody tr").first.hover()
        through = table.evaluate(SEEN_THROUGH)
        page.screenshot(path=str(tmp_path / "hovered.png"))
        tab(page, "Save & export")
        page.get_by_text("Nothing to save").first.wait_for()
        found["Save & export"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        assert (found, through) == (dict.fromkeys(found, []), []), (found, through)
        assert refused == []


# Where each cell of a row lies in the row's box: 2 px inside its top-left corner, in its padding.
CORNERS = """row => { const o = row.getBoundingClientRect();
  return [...row.children].map(c => { const b = c.getBoundingClientRect();
    return [Math.round(b.left - o.left) + 2, Math.round(b.top - o.top) + 2]; }); }"""
# The colour of the open tab's sheet, round its tables ('rgb(30, 30, 30)').
SHEET = "() => getComputedStyle(document.querySelector('.v-window-item--active').closest('.v-window')).backgroundColor"


def painted(row) -> list[tuple[int, int, int]]:  # noqa: ANN001
    """The colour the page shows in each cell of ``row`` (a locator of a table's row), as a reader sees it."""
    from io import BytesIO

    from PIL import Image

    shot = Image.open(BytesIO(row.screenshot())).convert("RGB")
    return [shot.getpixel(corner) for corner in row.evaluate(CORNERS)]


def test_the_tables_headers_and_a_hovered_rows_label_are_one_colour_in_the_dark_theme(tmp_path, shared_app):
    """In the dark theme the comparison tables' first header cell, kept in view while the table scrolls sideways,
    was painted Jupyter's #111111 beside the rest of its row on the tab's #1E1E1E: a darker block at the table's
    corner. A hovered row's label took its hover colour over #111111 too, darker than the rest of that row, and the long
    tables' header row, kept in view as they scroll, was a band of #121212. Each header cell now shows the tab's colour
    round the table, and a hovered row's label the colour of its row."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1280, height=900, color_scheme="dark") as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, WHATIF)
        run_ensemble(page, 2, of=WHATIF)
        seams, hovered = {}, {}
        for name in ("Ensemble", "What-if vs baseline"):
            tab(page, name)
            page.locator(".v-window-item--active table").first.wait_for(timeout=60_000)
            page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
            sheet = tuple(int(x) for x in re.findall(r"\d+", page.evaluate(SHEET)))
            for table in page.locator(".v-window-item--active table").all():
                if set(heads := painted(table.locator("thead tr"))) != {sheet}:
                    seams[f"{name}: {table.inner_text()[:20]!r}"] = (sheet, heads)
            row = page.locator(".v-window-item--active table tbody tr").first
            row.hover()
            hovered[name] = set(painted(row)[:2])
            page.screenshot(path=str(tmp_path / f"{name}.png"))
        assert seams == {}, seams
        assert {name: len(colours) for name, colours in hovered.items()} == dict.fromkeys(hovered, 1), hovered
        assert refused == []


def test_a_wide_page_in_the_dark_theme_reads_clearly(tmp_path, app_saving_into):
    """In the dark theme the white words on Solara's blue (the app bar's title, every button's label, a slider's value
    on its thumb while it moves) read at 3.1:1, and the YAML's comments on the Save tab at 4.4:1; its light theme,
    and the dark theme's other words, already read at 4.5:1 and above."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1280, height=900, color_scheme="dark") as (page, refused):
        open_app(page, app_saving_into(tmp_path))
        assert page.locator(".v-application.theme--dark").count() == 1
        found = {"app bar": page.evaluate(FAINT_TEXT, ".v-app-bar")}
        page.locator(".v-navigation-drawer .v-expansion-panel-header").first.click()
        panel = page.locator(".v-navigation-drawer .v-expansion-panel-content").first
        panel.wait_for()
        click_slider_at(panel.locator(".v-input", has=page.locator(".v-slider")).first, 0.3)  # something to save
        thumb = panel.locator(".v-slider__thumb-container").first
        thumb.focus()  # its value shows on the thumb, as while it is dragged
        page.keyboard.press("ArrowRight")
        label = panel.locator(".v-slider__thumb-label").first
        label.wait_for()
        found["slider's value"] = label.evaluate(f"(el) => ({FAINT_TEXT})('#' + (el.id ||= 'thumb-value'))")
        found["sidebar"] = page.evaluate(FAINT_TEXT, ".v-navigation-drawer")
        for name in ("One run", "Ensemble", "What-if vs baseline"):
            tab(page, name)
            found[name] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        tab(page, "Save & export")
        page.locator(".v-window-item--active .highlight .c1").first.wait_for()  # the YAML's comments
        found["Save & export"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        page.get_by_role("button", name="Save what-if").click()
        page.get_by_text("It resolves to the scenario this page runs").first.wait_for()
        found["saved"] = page.evaluate(FAINT_TEXT, ".v-window-item--active")
        page.screenshot(path=str(tmp_path / "saved.png"))
        assert {where: faint for where, faint in found.items() if faint} == {}
        assert refused == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sidebar_changed_warning_reads_clearly(tmp_path, shared_app, scheme):
    """The warning that the sidebar has changed since the run was built was in Vuetify's warning orange on a pale tint
    of it, a contrast of 2.4 in the light theme: the line that tells a user the map is not their settings read worst."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=1366, height=900, color_scheme=scheme) as (page, refused):
        open_app(page, shared_app)
        page.locator(".v-navigation-drawer .v-expansion-panel-header").first.click()
        panel = page.locator(".v-navigation-drawer .v-expansion-panel-content").first
        panel.wait_for()
        box = panel.locator(".v-slider").first.bounding_box()
        panel.locator(".v-slider").first.click(position={"x": box["width"] * 0.3, "y": box["height"] / 2})
        warning = page.locator(".v-alert", has_text="The sidebar has changed since this run was built").first
        warning.wait_for()
        found = warning.evaluate(f"(el) => ({FAINT_TEXT})('#' + (el.id ||= 'changed-warning'))")
        page.screenshot(path=str(tmp_path / f"warning-{scheme}.png"))
        assert found == [], found
        assert refused == []


def test_a_refused_address_keeps_the_app_bar_and_a_way_back(tmp_path, shared_app_server):
    """The page of an address naming a folder outside the save folder ('?folder=../elsewhere') was its error alone: no
    app bar, so no title and no theme toggle, and on a phone nothing to tap but the browser's own address bar. It has
    the app bar every page has, and a link to the page without '?folder=', which opens the app; and the page's styles,
    without which its path broke inside a part ('/tmp/.../hC_' / 'work/...'), where the other pages' break after a '/'."""
    from sim.app.settings import CONTROLS, load_controls

    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    url, _ = shared_app_server
    title = load_controls(ROOT / CONTROLS).title
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=740) as (page, refused):
        page.goto(f"{url}?folder=..%2Felsewhere")
        page.get_by_text("which is not one folder inside the save folder").first.wait_for()
        bar = page.locator(".v-app-bar")
        found = {"title": bar.locator(".v-toolbar__title").all_inner_texts(), "buttons": bar.locator("button").count(),
                 "words": wrapping_faults(page, ".v-alert"),  # the save folder's path in it, on a phone
                 "path's parts": page.locator(".v-alert .sim-part").first.evaluate("e => getComputedStyle(e).display")}
        page.screenshot(path=str(tmp_path / "refused.png"))
        # the title, whole, the theme toggle, and the path breaking between its parts (whole where a part fits a line)
        assert found == {"title": [title], "buttons": 1, "words": {}, "path's parts": "inline-block"}, found
        page.get_by_role("link", name="Open the page without ?folder=").click()
        page.get_by_text("One run:").first.wait_for()
        assert "folder=" not in page.url
        assert refused == []
