"""The app on a phone (the narrowest in common use, 360 px) in a real browser (headless Chromium, as
tests/test_app_browser.py): the Save & export tab before and once a what-if is saved, the Ensemble tab's Replicates
slider, and a long scenario's path on every tab."""

from __future__ import annotations

import re

from .app_browser import (
    SHOWN_TAB,
    SMALLEST_PHONE,
    browser_page,
    browser_test_marks,
    find_browser,
    open_app,
    pick_scenario,
    run_ensemble,
    tab,
    wrapping_faults,
)
from .test_app_browser import off_page

BROWSER = find_browser()
pytestmark = browser_test_marks()

LONGEST = "scenarios/whatif/no_moscow_agreement_turkey_stands_down.yaml"  # the longest shipped path: 61 characters


def test_a_saved_whatif_stays_on_a_phones_page(tmp_path, app_saving_into):
    """On a phone, once saved, the 'Saved' notice's path (one long word) ran out of its box and off the page,
    taking the rest of its sentence with it, and so did the rerun commands under it: both were cut at the window's
    edge; so was the save folder in the tab's first sentence, where it is a long one (the test's own). The
    YAML below them already broke its long words. At 360 px, before saving, 'Download the YAML' was cut off beside
    'Save what-if'."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=844) as (page, refused):
        open_app(page, app_saving_into(tmp_path))  # Mesa's sidebar lies over a narrow page, open, until a tap outside it
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        page.get_by_text("No Spring Shield").nth(1).wait_for()  # listed under "Changed"
        page.mouse.click(SMALLEST_PHONE - 5, 450)
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        tab(page, "Save & export")
        page.get_by_label("Name of the what-if").fill("campaign without spring shield for the seminar")
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        before = wrapping_faults(page)
        page.get_by_role("button", name="Save what-if").click()
        page.get_by_text("It resolves to the scenario this page runs").first.wait_for()
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        off = wrapping_faults(page)
        page.screenshot(path=str(tmp_path / "saved.png"), full_page=True)
        assert (before, off) == ({}, {}), (before, off)
        assert refused == []


def test_the_replicates_slider_can_be_dragged_on_a_phone(tmp_path, shared_app):
    """At 360 px the Replicates slider shared its line with its label and the Run button: 38 px for 1 to 200, five
    replicates a pixel, so a finger could not pick 20. It keeps a pixel a replicate, the button going under it."""
    from sim.app.ensemble import MAX_PAGE_REPLICATES

    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.mouse.click(SMALLEST_PHONE - 5, 400)  # the sidebar, open over a narrow page, closed
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        tab(page, "Ensemble")
        page.get_by_role("button", name="Run ensemble (40)").wait_for()
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        bar = page.locator(".v-window-item--active .v-slider").first.bounding_box()["width"]
        off = wrapping_faults(page)
        page.screenshot(path=str(tmp_path / "replicates.png"))
        assert bar >= MAX_PAGE_REPLICATES, f"the Replicates slider is {bar:.0f} px long"
        assert off == {}, off
        assert refused == []


def test_a_long_scenario_path_breaks_between_its_parts_on_every_tab_of_a_phone(tmp_path, shared_app):
    """The sidebar broke a long path after its '/' and '_', but the tabs wrote it as one word: at 360 px the One run
    heading ran it 267 px past the window's edge, and so did the Ensemble's first line, the comparison's 'B = ...' and
    the Save & export tab's 'Nothing to save' (its first sentence broke it inside a name, 'turkey_s' / 'tands_down').
    The comparison's 'Every difference (comparison CSV)' button, one line, ran 7 px off the page, its end cut off. And
    the comma after its bold 'B = ...' began a line: ', which changes from A'."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=740) as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, LONGEST)
        page.get_by_role("button", name="Reset").click()
        page.get_by_text(re.compile(r"^One run: scenarios/whatif/no_")).first.wait_for()
        page.mouse.click(SMALLEST_PHONE - 5, 450)  # the sidebar, open over a narrow page, closed
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        def read() -> tuple:
            return wrapping_faults(page), off_page(page)

        found = {"One run": read()}
        run_ensemble(page, 2, of=LONGEST)
        for name, ready in (("Ensemble", None), ("What-if vs baseline", "paired (same seeds)"), ("Save & export", "Nothing to save")):
            tab(page, name)
            if ready:
                page.locator(SHOWN_TAB, has_text=ready).wait_for()
            page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
            found[name] = read()
            page.screenshot(path=str(tmp_path / f"{name[:4]}.png"))
        assert found == dict.fromkeys(found, ({}, [])), found
        assert refused == []


# The tab strip settled after a tap: the open tab's panel done sliding in, and the strip's place the same two frames
# running, with no transition under way (Vuetify slides it to bring the tapped tab in).
STRIP_SETTLED = """() => {
  const c = document.querySelector('.v-tabs .v-slide-group__content'), moving = c.getAnimations().length;
  const now = `${c.style.transform} ${moving}`, same = window.simStrip === now;
  window.simStrip = now;
  return same && !moving && !document.querySelector('.v-window-item--active[class*=transition]');
}"""
# The open tab's left and right edges, and those of the strip's visible part within the window.
OPEN_TAB = """() => {
  const t = document.querySelector('.v-tab--active').getBoundingClientRect();
  const s = document.querySelector('.v-tabs .v-slide-group__wrapper').getBoundingClientRect();
  return [t.left, t.right, Math.max(s.left, 0), Math.min(s.right, innerWidth)].map(Math.round);
}"""
# The app bar's title: the room its text needs against the room it has (both its width and its height).
TITLE_ROOM = """() => {
  const t = document.querySelector('.v-app-bar .v-toolbar__title');
  return {text: t.innerText, needs: [t.scrollWidth, t.scrollHeight], has: [t.clientWidth, t.clientHeight]};
}"""


def test_the_open_tab_and_the_title_are_whole_on_a_phone(tmp_path, shared_app):
    """At 360 px the four tabs did not fit their strip, which scrolled under two arrows: once 'What-if vs baseline' was
    tapped, Vuetify slid its left edge to 40% of the strip, and its right 43 px lay under the arrow, cut ('WHAT-IF VS
    BASEL'): which tab was open could not be read. The app bar's title ended 'Idlib ceasefire 2019-2020…'."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=740) as (page, refused):
        open_app(page, shared_app)
        page.mouse.click(SMALLEST_PHONE - 5, 450)  # the sidebar, open over a narrow page, closed
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        found = {}
        for name in ("One run", "Ensemble", "What-if vs baseline", "Save & export", "Ensemble", "One run"):
            tab(page, name)
            page.locator(".v-tab--active", has_text=name).wait_for()
            page.wait_for_function(STRIP_SETTLED)
            left, right, start, end = page.evaluate(OPEN_TAB)
            if left < start or right > end:
                found[name] = f"{left} to {right} px in a strip shown from {start} to {end} px"
            page.screenshot(path=str(tmp_path / f"tab-{name[:4]}.png"))
        title = page.evaluate(TITLE_ROOM)
        cut = None if all(n <= h for n, h in zip(title["needs"], title["has"], strict=True)) else title
        assert (found, cut) == ({}, None)
        assert refused == []


# The scores table scrolled to its right end: how far it scrolls, and its label cells (the score, and model or frozen
# front) and last cells that are not in sight there (left of the table's box, or under another cell).
LABELS_HIDDEN = """(table) => {
  table.scrollLeft = table.scrollWidth;
  const box = table.getBoundingClientRect(), hidden = [];
  for (const row of table.querySelectorAll('tr')) {
    const cells = [...row.children];
    for (const cell of [cells[0], cells[1], cells[cells.length - 1]]) {
      const b = cell.getBoundingClientRect();
      const top = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
      if (b.left < box.left - 0.5 || !cell.contains(top)) hidden.push(`'${cell.textContent.trim()}' at ${Math.round(b.left)} px`);
    }
  }
  return [table.scrollWidth - table.clientWidth, hidden];
}"""


def test_the_ensembles_scores_keep_their_labels_in_view_on_a_phone(tmp_path, shared_app):
    """At 360 px the Ensemble's headline scores are wider than the page and scroll sideways: scrolled to their
    validation column, the score's name and 'model' / 'frozen front' were out of view, and which row was which with
    them (the comparison's tables kept their labels in view already)."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=740) as (page, refused):
        open_app(page, shared_app)
        page.mouse.click(SMALLEST_PHONE - 5, 450)  # the sidebar, open over a narrow page, closed
        page.locator(".v-navigation-drawer--open").wait_for(state="hidden")
        run_ensemble(page, 2)
        table = page.locator(".v-window-item--active table", has=page.locator("th", has_text=re.compile(r"^score$")))
        table.scroll_into_view_if_needed()
        scrolls, hidden = table.evaluate(LABELS_HIDDEN)
        page.screenshot(path=str(tmp_path / "scores.png"))
        assert scrolls > 0, "the scores table fits a 360-px page: nothing to keep in view"
        assert hidden == [], hidden
        assert refused == []
