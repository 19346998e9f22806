"""The user's strings in the app's Markdown, in a real browser (headless Chromium, as tests/test_app_browser.py): a
what-if file named, described and saved with what Markdown, its emoji and KaTeX read shows as it is named."""

from __future__ import annotations

import re

from .app_browser import browser_page, browser_test_marks, find_browser, open_app, pick_scenario, tab

BROWSER = find_browser()
pytestmark = browser_test_marks()

# What Markdown, its emoji and the page's maths made of a string: a picture, a link, bold, emphasis within the
# description's own, a list of its own, KaTeX's maths (and code, where the page writes none of its own).
MADE = "img, a, b, strong strong, em em, ol, .katex"
TYPED = "{{ 6*7 }} :smile:"  # a what-if's name as typed: its file's first line (Vue read the first as 42)


def test_a_whatif_files_strings_show_as_they_are_named(tmp_path, app_saving_into):
    """A folder's ':smile:' was a smiling face fetched from a CDN, '*a*' and '_b_' italics, '[l](u)' a link, '{{ 6*7 }}'
    42: in the sidebar's description and changes (the ``theatre:`` path among them) and the Save tab's first sentence,
    each string reads as written, as in the page's HTML (the picker's path, an alert)."""
    from .test_app_exact_text import FOLDER, HOSTILE, LONG, hostile_whatif_in

    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    whatif, theatre = hostile_whatif_in(tmp_path / FOLDER)
    with browser_page(BROWSER, width=1280, height=900) as (page, refused):
        open_app(page, app_saving_into(whatif.parent))
        pick_scenario(page, str(whatif))
        listed = page.locator(".v-navigation-drawer .solara-markdown", has_text="This what-if file changes").first
        listed.wait_for()
        page.wait_for_timeout(1000)  # KaTeX and the emoji, were they read, are drawn after the Markdown
        description = page.locator(".v-navigation-drawer .solara-markdown").first.inner_text()
        picked = page.locator(".v-navigation-drawer .v-select__selection").first.inner_text()  # HTML, not Markdown
        changes = listed.inner_text()
        made = page.locator(".v-navigation-drawer .solara-markdown").evaluate_all(
            f"ms => ms.flatMap(m => [...m.querySelectorAll('{MADE}, code')].map(e => e.outerHTML))")
        page.screenshot(path=str(tmp_path / "sidebar.png"))
        listed.screenshot(path=str(tmp_path / "changes.png"))
        tab(page, "Save & export")
        heading = page.locator(".solara-markdown", has_text="A YAML file in").first
        heading.wait_for()
        page.wait_for_timeout(1000)
        saving, code = heading.inner_text(), heading.locator("code").all_inner_texts()
        nothing = page.locator(".v-alert", has_text="Nothing to save").first.inner_text()
        made += heading.evaluate(f"m => [...m.querySelectorAll('{MADE}')].map(e => e.outerHTML)")
        page.screenshot(path=str(tmp_path / "save.png"))
        # The YAML the file would hold, with the name as typed in its first line
        page.locator(".v-input--checkbox", has_text="The January truce kept").locator("input").check(force=True)
        page.get_by_label("Name of the what-if").fill(TYPED)
        preview = page.locator(".sim-code pre", has_text="Saved from the browser app").first
        preview.wait_for()
        page.wait_for_timeout(500)
        yaml_shown = preview.inner_text()
        preview.screenshot(path=str(tmp_path / "preview.png"))
    assert re.sub(r"\s+", " ", description) == f"{HOSTILE} - {LONG} (1 December 2019 to 31 January 2020)", description
    assert f"theatre: scenarios/theatres/idlib.yaml → {theatre}" in changes, changes
    assert f"(events.jan-truce.name): January 2020 Idlib truce → {HOSTILE}" in changes, changes
    assert f"A YAML file in {whatif.parent} that extends {whatif} with what the sidebar changes" in saving, saving
    assert code == [str(whatif.parent), "extends"], code
    assert picked == str(whatif) and f"the sidebar is {whatif} as it is" in re.sub(r"\s+", " ", nothing), (picked, nothing)
    assert made == [], made
    assert yaml_shown.startswith(f"# {TYPED}. Saved from the browser app"), yaml_shown
    assert refused == [], f"the page tried to reach other hosts: {refused}"
