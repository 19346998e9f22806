"""Driving the app in a real browser: Debian's headless Chromium through Playwright (``executable_path``).

Shared by the browser test (tests/test_app_browser.py), the screenshots
(scripts/app_screenshots.py) and the benchmark (benchmarks/app.py). Nothing
is downloaded: the browser is the system's (``chromium-headless-shell`` or
``chromium`` from Debian, or ``SIM_BROWSER``), and every request the page
makes to another host is refused and recorded, so a page that would need
the network fails its test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium-headless-shell", "chromium")
LOCAL = {"localhost", "127.0.0.1", "::1", "[::1]"}


SMALLEST_PHONE = 360  # CSS pixels: the narrowest phones in common use

SHOWN_TAB = ".v-window-item--active"  # the open tab's panel

# The words of the element ``root`` (a selector) that run past the window's right edge, other than inside a box that
# scrolls sideways: each text node's lines (their boxes), not the elements' boxes, which stay at the page's width while a
# word spills out.
WORDS_OFF_PAGE = """(root) => {
  const shown = document.querySelector(root), r = document.createRange(), off = [];
  const walker = document.createTreeWalker(shown, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.data.trim()) continue;
    r.selectNodeContents(n);
    const right = Math.max(0, ...[...r.getClientRects()].map(b => b.right));
    if (right <= window.innerWidth + 1) continue;
    let scrolls = false;
    for (let a = n.parentElement; a && a !== shown; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) { scrolls = true; break; }
    }
    if (!scrolls) off.push(`'${n.data.trim().slice(0, 40)}' to ${Math.round(right)} px`);
  }
  return off;
}"""


# The words of the element ``root`` (a selector) broken across lines though they would fit the line they are on: a path
# cut inside a name ('no_mos' / 'cow_agreement'), not after a '/', '_' or '-'. Code (the YAML, a command) is left out.
CUT_WORDS = """(root) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  const cut = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('pre, code')) continue;
    const room = n.parentElement.getBoundingClientRect().width;
    for (const m of n.data.matchAll(/[^\\s\\u200b\\/_-]+[\\/_-]?/g)) {
      const r = document.createRange();
      r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      const rects = [...r.getClientRects()].filter(b => b.width > 0);
      const wide = rects.reduce((sum, b) => sum + b.width, 0);
      if (new Set(rects.map(b => Math.round(b.top))).size > 1 && wide <= room) cut.push(`'${m[0]}' in '${n.data}'`);
    }
  }
  return cut;
}"""


# The punctuation of the element ``root`` (a selector) that begins a line, parted from the word it follows: a comma after
# a path in bold ('**scenarios/moscow.yaml**,'), whose inline block is as wide as the line once the path breaks, went
# under it. Each as the word before it ends and its line begins. Code (the YAML, a command) is left out.
PUNCTUATION_FIRST = """(root) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  const r = document.createRange(), box = (n, i) => { r.setStart(n, i); r.setEnd(n, i + 1);
    return [...r.getClientRects()].find(b => b.width > 0); };
  const block = n => n.parentElement.closest('p, li, td, th, h1, h2, h3, h4, div');
  const found = [];
  let last = null;  // the last character seen that is not white space: [its node, its index]
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('pre, code')) continue;
    for (let i = 0; i < n.data.length; i++) {
      if (/\\s/.test(n.data[i])) continue;
      if (/[,;:.)]/.test(n.data[i]) && last && block(last[0]) === block(n)) {
        const b = box(n, i), before = box(...last);
        if (b && before && b.top >= before.bottom - 2) {
          found.push(`'${last[0].data.slice(0, last[1] + 1).split(/\\s/).pop()}' / '${n.data.slice(i, i + 12)}'`);
        }
      }
      last = [n, i];
    }
  }
  return found;
}"""


WRAP_FAULTS = ("off the page", "cut inside a name", "punctuation beginning a line")  # what wrapping_faults finds


def wrapping_faults(page, root: str = SHOWN_TAB) -> dict[str, list[str]]:  # noqa: ANN001
    """How the words of ``root`` (a selector; the open tab by default) wrap on a narrow page: each fault by kind
    (:data:`WRAP_FAULTS`), the words run off the page (:data:`WORDS_OFF_PAGE`), cut inside a name (:data:`CUT_WORDS`)
    and punctuation beginning a line (:data:`PUNCTUATION_FIRST`); ``{}`` where they all wrap well. One call into the
    page for the three, each test of a phone's text making all three checks, not whichever it was written with."""
    found = page.evaluate(f"(root) => [({WORDS_OFF_PAGE})(root), ({CUT_WORDS})(root), ({PUNCTUATION_FIRST})(root)]", root)
    return {kind: faults for kind, faults in zip(WRAP_FAULTS, found, strict=True) if faults}


def browser_test_marks() -> list:
    """A browser test module's ``pytestmark``: marked ``browser``, and skipped where no headless Chromium is installed,
    unless ``SIM_REQUIRE_BROWSER`` is set (as .ci/run sets it), where each test then fails on the missing browser. The
    module is skipped as a whole where the app extra (Playwright, Solara) is not installed."""
    import pytest  # the screenshots and the benchmark import this module too, without pytest's marks

    for extra in ("playwright", "solara"):
        pytest.importorskip(extra, reason="the app extra is not installed (pip install -e '.[app]')")
    return [pytest.mark.browser,
            pytest.mark.skipif(find_browser() is None and not os.environ.get("SIM_REQUIRE_BROWSER"),
                               reason="no headless Chromium (apt-get install chromium-headless-shell)")]


def find_browser() -> str | None:
    """The headless Chromium to drive: ``SIM_BROWSER``, else Debian's, else None."""
    if os.environ.get("SIM_BROWSER"):
        return os.environ["SIM_BROWSER"] if Path(os.environ["SIM_BROWSER"]).exists() else None
    for name in BROWSERS:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(save_dir: Path, *, port: int | None = None, timeout: float = 90, own_save_dir: bool = True) -> Iterator[str]:
    """``python -m sim app`` on a free local port, serving until the block ends; yields its URL.

    Its log goes to ``save_dir``, and so do its saved what-ifs unless ``own_save_dir`` is False (then the app's
    default folder, as a user sees it).

    The server is stopped by its own process group (started here), never by name.
    """
    port = port or free_port()
    log = open(save_dir / "server.log", "wb")  # noqa: SIM115 - closed below
    where = ["--save-dir", str(save_dir)] if own_save_dir else []
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port), *where],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}/"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped: {(save_dir / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - our own local server
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("the server did not answer in time")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@contextlib.contextmanager
def browser_page(executable: str, *, width: int = 1600, height: int = 1000,
                 color_scheme: str = "light") -> Iterator[tuple[object, list[str]]]:
    """A page in headless Chromium; yields (page, the off-machine requests it tried, each refused).

    ``color_scheme`` is the system's preference the page sees ("dark": the app, whose theme follows it until its
    toggle is tapped, opens in its dark theme).
    """
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def only_local(route, request) -> None:  # noqa: ANN001 - Playwright's
        if urlparse(request.url).hostname in LOCAL or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            # Refused for the browser's every page: a test may open a second tab (page.context.new_page()).
            context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                          color_scheme=color_scheme)
            context.set_default_timeout(60_000)
            context.route("**/*", only_local)
            yield context.new_page(), refused
        finally:
            browser.close()


def open_app(page, url: str) -> float:  # noqa: ANN001
    """Load the page until the first run's map is shown; the seconds it took."""
    t = time.perf_counter()
    page.goto(url)
    page.get_by_text("One run:").first.wait_for()
    page.locator("img.solara-image, .solara-image img, img").first.wait_for()
    return time.perf_counter() - t


def pick_scenario(page, path: str) -> None:  # noqa: ANN001
    page.locator(".v-select").first.click()
    page.locator(".v-menu__content .v-list-item", has_text=path).first.click()
    page.locator(".v-select", has_text=path).first.wait_for()


# Where the tab's centre lies against its strip's visible part: -1 left of it, 1 right of it, 0 inside (tappable).
TAB_SIDE = """(t) => { const s = t.closest('.v-slide-group__wrapper').getBoundingClientRect(), b = t.getBoundingClientRect();
  const x = (b.left + b.right) / 2; return x < s.left ? -1 : x > s.right ? 1 : 0; }"""
STRIP_AT = "(t) => t.closest('.v-slide-group__content').style.transform"  # how far the strip is scrolled


def tab(page, name: str) -> None:  # noqa: ANN001
    """Tap the tab ``name``, first tapping the strip's arrow towards it while it is scrolled out of view (as a user
    would: Playwright cannot scroll a Vuetify strip, which moves its tabs by a transform)."""
    shown = page.locator(".v-tab", has_text=name).first
    for _ in range(8):
        side = shown.evaluate(TAB_SIDE)
        if side == 0:
            break
        before = shown.evaluate(STRIP_AT)
        page.locator(".v-slide-group__next" if side > 0 else ".v-slide-group__prev").first.click()
        page.wait_for_function(f"([t, before]) => ({STRIP_AT})(t) !== before && !t.closest('.v-slide-group__content')"
                               ".getAnimations().length", arg=[shown.element_handle(), before])
    shown.click()


def run_ensemble(page, n: int, of: str = "", timeout: float = 180_000) -> None:  # noqa: ANN001
    """From the Ensemble tab: ``n`` replicates (the slider), run, and wait for the result's heading (``n`` replicates
    of ``of``, a scenario's path, or of anything)."""
    tab(page, "Ensemble")
    set_slider(page, page.locator(".v-input", has=page.locator("label", has_text="Replicates")).first, n, low=1)
    page.get_by_role("button", name=f"Run ensemble ({n})").click()
    page.get_by_text(re.compile(rf"^{n} replicates of {re.escape(of)}")).first.wait_for(timeout=timeout)


def set_slider(page, slider, value: int, low: int) -> None:  # noqa: ANN001
    """A Vuetify slider to ``value`` by keyboard: Home, then the arrow key (one step each)."""
    thumb = slider.locator(".v-slider__thumb-container").first
    thumb.focus()
    page.keyboard.press("Home")
    for _ in range(value - low):
        page.keyboard.press("ArrowRight")


def click_slider_at(slider, fraction: float) -> None:  # noqa: ANN001
    """Click a Vuetify slider's track at ``fraction`` of its length (one change, however far)."""
    box = slider.locator(".v-slider").first.bounding_box()
    slider.locator(".v-slider").first.click(position={"x": box["width"] * fraction, "y": box["height"] / 2})


def shown_date(page) -> str:  # noqa: ANN001
    """The Ensemble tab's date ('Showing 5 March 2020'), as an ISO date (as the run folder's files write it)."""
    text = page.get_by_text(re.compile(r"^Showing \d{1,2} [A-Z][a-z]+ \d{4}")).first.inner_text()
    return dt.datetime.strptime(re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", text).group(0), "%d %B %Y").date().isoformat()


def table_rows(page, header: str) -> dict[str, list[str]]:  # noqa: ANN001
    """The rows of the first table whose header row contains ``header``, by their first cell."""
    table = page.locator("table", has=page.locator("th", has_text=header)).first
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows
