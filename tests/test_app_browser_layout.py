"""The page's frame in a real browser (headless Chromium, as tests/test_app_browser.py): what lies between the app bar
and the tabs, on a wide page and on a phone."""

from __future__ import annotations

import pytest

from .app_browser import SMALLEST_PHONE, app_server, browser_page, browser_test_marks, find_browser, open_app

BROWSER = find_browser()
pytestmark = browser_test_marks()

# Solara's padding round the page's content, the same on every side: the tabs are that far under the app bar.
CONTENT_PADDING = 12  # pixels
# The app bar's bottom, the tabs' top, and the padding round the content (its left side, as the tabs' margin there).
GAP = """() => {
  const bar = document.querySelector('.v-app-bar').getBoundingClientRect();
  const tabs = document.querySelector('.v-tabs').getBoundingClientRect();
  return {bar: Math.round(bar.bottom), tabs: Math.round(tabs.top)};
}"""


@pytest.mark.parametrize("width", [1366, SMALLEST_PHONE])
def test_the_tabs_sit_under_the_app_bar(tmp_path, width):
    """An empty band about 60 px high lay between the app bar and the tabs at every width: SolaraViz's and the
    sidebar's placeholders (Solara's AppBar and Sidebar leave an empty div in the page, meant to be hidden but not,
    its style written 'display; none'), each a box of the page's column, with the column's 12-px gaps between them."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    with app_server(tmp_path) as url, browser_page(BROWSER, width=width, height=800) as (page, refused):
        open_app(page, url)
        found = page.evaluate(GAP)
        page.screenshot(path=str(tmp_path / "top.png"))
        assert found["tabs"] - found["bar"] <= CONTENT_PADDING, found
        assert refused == []
