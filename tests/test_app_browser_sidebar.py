"""The sidebar's paths in a real browser (headless Chromium, as tests/test_app_browser.py): where they break on a phone,
what a user who copies one gets, and the scenario picker's list at a phone's width."""

from __future__ import annotations

from .app_browser import SMALLEST_PHONE, browser_page, browser_test_marks, find_browser, open_app, pick_scenario
from .test_app_browser_save_phone import seminar_folder

BROWSER = find_browser()
pytestmark = browser_test_marks()

WHATIF = "scenarios/whatif/jan_truce_holds.yaml"

# The lines an element's text is laid out on, as a reader sees them (each character by the top of its box; the
# invisible characters left out).
LINES = """e => {
  const lines = new Map(), walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), r = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      r.setStart(n, i); r.setEnd(n, i + 1);
      const box = [...r.getClientRects()].find(b => b.width > 0);
      if (!box) continue;
      const top = Math.round(box.top);
      lines.set(top, (lines.get(top) || '') + n.data[i]);
    }
  }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}"""
# What a user who selects all of an element's text and copies it gets (Ctrl-C copies the selection's text).
COPIED = """e => {
  const r = document.createRange(), s = window.getSelection();
  r.selectNodeContents(e); s.removeAllRanges(); s.addRange(r);
  return s.toString();
}"""


def test_the_pickers_path_breaks_after_a_folder_and_copies_as_the_path(tmp_path, shared_app):
    """At 360 px the picker showed 'scenarios/whatif/jan_truce_' / 'holds.yaml' (a break at the last '_' that fitted,
    where after 'whatif/' the name fitted whole), and the picker's path and the line naming the file a what-if changes
    copied with invisible spaces in them: pasted into a terminal, the path named no file. (A toggle's label cannot be
    selected: Vuetify makes it unselectable.)"""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.locator(".v-navigation-drawer--open").wait_for()
        pick_scenario(page, WHATIF)
        page.get_by_text("This what-if file changes").first.wait_for()
        page.wait_for_timeout(500)
        picked = page.locator(".v-navigation-drawer--open .v-select__selection").first
        lines = {"picker": picked.evaluate(LINES),
                 "toggle": page.locator(".v-navigation-drawer--open .v-label", has_text="(not in").first.evaluate(LINES)}
        copied = {"picker": picked.evaluate(COPIED),
                  "sidebar": page.locator(".v-navigation-drawer--open").evaluate(COPIED)}  # all a user can select in it
        page.screenshot(path=str(tmp_path / "picked.png"))
        assert lines["picker"] == ["scenarios/whatif/", "jan_truce_holds.yaml"], lines
        assert lines["toggle"][-1].endswith("jan_truce_holds.yaml)") and len(lines["toggle"]) == 2, lines
        assert copied["picker"] == WHATIF, copied
        assert "This what-if file changes from scenarios/campaign.yaml:" in copied["sidebar"], copied["sidebar"]
        assert "\u200b" not in copied["sidebar"], copied["sidebar"]
        assert refused == []


# The open picker's list: each item's text as shown (what an ellipsis hides is not), whether it is cut off, and the
# list's right edge.
MENU = """() => {
  const menu = document.querySelector('.v-menu__content.menuable__content__active');
  const items = [...menu.querySelectorAll('.v-list-item')].map(item => {
    const cut = [...item.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1);
    return [item.innerText.replace(/\\u200b/g, '').trim(), cut];
  });
  return [items, menu.getBoundingClientRect().right];
}"""


def test_the_pickers_list_shows_each_path_whole_on_a_phone(tmp_path, shared_app):
    """At 360 px the open picker cut its longer paths off with an ellipsis ('scenarios/whatif/jan_truce_holds.…',
    'scenarios/whatif/jan_truce_holds_…'): two what-ifs read alike, and which was which could not be told."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, shared_app)
        page.locator(".v-navigation-drawer--open").wait_for()
        page.locator(".v-select").first.click()
        page.locator(".v-menu__content.menuable__content__active .v-list-item").first.wait_for()
        page.wait_for_timeout(500)  # the list opens with a transition
        items, right = page.evaluate(MENU)
        page.screenshot(path=str(tmp_path / "menu.png"))
        cut = [text for text, is_cut in items if is_cut]
        assert len(items) >= 11 and all(text.startswith("scenarios/") for text, _ in items), items
        assert cut == [], f"cut off: {cut}"
        assert right <= SMALLEST_PHONE, f"the list runs to {right:.0f} px"
        assert refused == []


# The words of each alert in the open sidebar that run past the alert's own right edge (its border), by their text.
PAST_ALERT = """() => {
  const past = [], r = document.createRange();
  for (const alert of document.querySelectorAll('.v-navigation-drawer--open .v-alert')) {
    const edge = alert.getBoundingClientRect().right;
    const walker = document.createTreeWalker(alert, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.data.trim()) continue;
      r.selectNodeContents(n);
      const right = Math.max(0, ...[...r.getClientRects()].map(b => b.right));
      if (right > edge + 1) past.push(`'${n.data.trim().slice(0, 60)}' to ${Math.round(right)} px, the alert to ${Math.round(edge)}`);
    }
  }
  return past;
}"""


def test_the_sidebars_refusals_keep_their_path_inside_their_alert(tmp_path, app_saving_into):
    """A what-if of the save folder that does not load, picked, was refused in the sidebar with its path (absolute, the
    folder being outside the project) as one word: at 1280 px and at 360 it ran out of the red alert, past its border,
    and on a phone off the page, its end cut off ('.../typo_whatif.yam'); so did the alert of a picked file edited into
    an error since. The other alerts' paths break between their parts (:func:`sim.app.breakable.Breakable`)."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    save, mine = seminar_folder(tmp_path)
    extends = mine.read_text().splitlines()[0]
    (save / "typo_whatif.yaml").write_text(f"{extends}\nname: typo_whatif\nfactions:\n  russia:\n    air_powr: 3\n")
    found = {}
    with browser_page(BROWSER, width=SMALLEST_PHONE, height=800) as (page, refused):
        open_app(page, app_saving_into(save))
        page.locator(".v-navigation-drawer--open").wait_for()
        page.locator(".v-select").first.click()
        page.locator(".v-menu__content .v-list-item", has_text="typo_whatif").first.click()
        page.locator(".v-navigation-drawer--open .v-alert", has_text="unknown key 'air_powr'").wait_for()
        page.wait_for_timeout(300)
        found["refused pick"] = page.evaluate(PAST_ALERT)
        page.screenshot(path=str(tmp_path / "refused.png"))
        pick_scenario(page, "mine.yaml")
        mine.write_text("extends: nowhere.yaml\nname: mine\n")  # edited into an error once picked
        # a toggle ticked: the sidebar is drawn again, and reads the file anew
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        page.locator(".v-navigation-drawer--open .v-alert", has_text="Fix the file").wait_for()
        page.wait_for_timeout(300)
        found["broken file"] = page.evaluate(PAST_ALERT)
        page.screenshot(path=str(tmp_path / "broken.png"))
        assert found == dict.fromkeys(found, []), found
        assert refused == []
