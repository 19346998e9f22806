"""Screenshots of the app's main views for docs/ and the README, taken from the real page.

    .venv/bin/python scripts/app_screenshots.py        # writes docs/app_*.png (about a minute)
    .venv/bin/python scripts/app_screenshots.py --only app_ensemble.png   # the same steps, writes that one alone

Starts ``python -m sim app``, drives it in Debian's headless Chromium (the
helpers of the browser test), and saves: the one-run view after 63 days of
the campaign, the ensemble view of the January-truce what-if (40
replicates), its comparison with the campaign (its maps, and
its tables below them), the save view, and a Moscow
run on 28 May (the corridor and the patrols).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app_browser import app_server, browser_page, click_slider_at, find_browser, open_app, pick_scenario, tab  # noqa: E402

DOCS = ROOT / "docs"
SAVED = "truce_holds_no_spring_shield"
NAMES = ("app_run.png", "app_run_moscow.png", "app_ensemble.png", "app_compare.png", "app_compare_tables.png", "app_save.png")
only: set[str] = set(NAMES)  # the screenshots to write (--only): the page is driven through every step all the same


def shoot(page, name: str) -> None:  # noqa: ANN001
    page.wait_for_timeout(800)  # images decoded and laid out (a skipped one too: the next view's layout needs it)
    if name not in only:
        return
    page.screenshot(path=str(DOCS / name))
    print("written:", DOCS / name)


def main() -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the app's main views for docs/ and the README.")
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME",
                        help=f"write these screenshots alone, leaving the others as they are ({', '.join(NAMES)})")
    only.intersection_update(parser.parse_args().only or NAMES)
    browser = find_browser()
    if browser is None:
        print("no headless Chromium: apt-get install chromium-headless-shell", file=sys.stderr)
        return 2
    saved = ROOT / "scenarios" / "whatif" / f"{SAVED}.yaml"  # saved where a user's are, so the page shows their paths
    if saved.exists():
        print(f"{saved} exists: move it away first (this script saves a what-if of that name)", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory() as tmp, app_server(Path(tmp), own_save_dir=False) as url:
            shoot_all(browser, url)
    finally:
        saved.unlink(missing_ok=True)  # the script's own file, made above
    return 0


def shoot_all(browser: str, url: str) -> None:
    with browser_page(browser, width=1680, height=1050) as (page, _):
        open_app(page, url)
        interval = page.locator(".v-input", has=page.locator("label", has_text="Render Interval")).first
        interval.locator(".v-slider__thumb-container").first.focus()
        for _ in range(10):  # Mesa's render interval: 1 -> 21 (the slider steps by 2)
            page.keyboard.press("ArrowRight")
        for day in (21, 42, 63):
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(rf"^Day {day} of")).first.wait_for(timeout=120_000)
        shoot(page, "app_run.png")

        pick_scenario(page, "scenarios/moscow.yaml")  # the corridor and the patrols
        page.get_by_role("button", name="Reset").click()
        page.get_by_text(re.compile(r"^Day 0 of 179")).first.wait_for()
        for day in (21, 42, 63, 84):
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(rf"^Day {day} of")).first.wait_for(timeout=120_000)
        shoot(page, "app_run_moscow.png")

        pick_scenario(page, "scenarios/whatif/jan_truce_holds.yaml")
        tab(page, "Ensemble")
        page.get_by_role("button", name="Run ensemble (40)").click()
        page.get_by_text(re.compile(r"^40 replicates of")).first.wait_for(timeout=300_000)
        click_slider_at(page.locator(".v-input", has=page.locator("label", has_text="Day")).first, 0.62)
        page.wait_for_function("() => !document.body.innerText.includes('Showing 5 March 2020')")
        shoot(page, "app_ensemble.png")
        tab(page, "What-if vs baseline")
        page.get_by_text("paired (same seeds)").first.wait_for(timeout=120_000)
        shoot(page, "app_compare.png")
        page.get_by_text("Headline scores against the record").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, "app_compare_tables.png")
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        tab(page, "Save & export")
        page.get_by_label("Name of the what-if").fill(SAVED)
        page.get_by_role("button", name="Save what-if").click()
        page.get_by_text(re.compile("^Saved ")).first.wait_for()
        shoot(page, "app_save.png")


if __name__ == "__main__":
    raise SystemExit(main())
