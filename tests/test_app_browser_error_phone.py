"""The One run, Ensemble and What-if tabs' errors on a phone (360 px) in a real browser (headless Chromium, as
tests/test_app_browser_save_phone.py checks the Save tab's): a path in one breaks between its parts and stays on the
page. (A view that raised says so with the same alert: tests/test_app_error_paths.py.)"""

from __future__ import annotations

from . import app_browser as ab
from .app_browser import SMALLEST_PHONE, open_app, pick_scenario, tab
from .test_app_browser_save_phone import close_sidebar, read, seminar_folder

BROWSER = ab.find_browser()
pytestmark = ab.browser_test_marks()


def test_a_failed_reset_and_a_failed_ensemble_stay_on_a_phones_page(tmp_path, app_saving_into):
    """A picked what-if deleted since: at 360 px 'Reset could not build ...', 'The ensemble failed: ...' and '... so
    there is nothing to compare: ...' each printed its path as one word, which ran off the page's right edge."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    save, mine = seminar_folder(tmp_path)
    found = {}
    with ab.browser_page(BROWSER, width=SMALLEST_PHONE, height=844) as (page, refused):
        open_app(page, app_saving_into(save))
        pick_scenario(page, "mine.yaml")
        mine.unlink()  # gone since it was picked
        page.get_by_role("button", name="Reset", exact=True).click()
        close_sidebar(page)
        found["reset"] = read(page, "Reset could not build")
        page.screenshot(path=str(tmp_path / "reset.png"), full_page=True)
        tab(page, "Ensemble")
        page.get_by_role("button", name="Run ensemble (40)").click()
        found["ensemble"] = read(page, "The ensemble failed")
        page.screenshot(path=str(tmp_path / "ensemble.png"), full_page=True)
        tab(page, "What-if vs baseline")
        found["compare"] = read(page, "nothing to compare")
        assert found == dict.fromkeys(found, {}), found
        assert refused == []
