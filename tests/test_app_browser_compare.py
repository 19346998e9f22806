"""The "What-if vs baseline" tab's tables in a real browser (headless Chromium, as tests/test_app_browser.py): how they
read at a phone's width, and that the wide page keeps them as they were; and the Ensemble tab's outcomes on a phone."""

from __future__ import annotations

import pytest

from .app_browser import SMALLEST_PHONE, browser_page, browser_test_marks, find_browser, open_app, pick_scenario, run_ensemble, tab, wrapping_faults

BROWSER = find_browser()
pytestmark = browser_test_marks()

WHATIF = "scenarios/whatif/jan_truce_holds.yaml"
MINUS = "\u2212"  # as the page writes B − A
CHARACTERS_A_LINE = 15  # a label's column holds at least this many characters a line
# Enough replicates for outcomes to change beyond chance: with two, none did, and their table, the widest of the tab
# (its labels are sentences, beside four columns of numbers), was never on the page to measure.
REPLICATES = 10

# Every table of the shown tab: its first words, whether it scrolls sideways, and each body row's cells as [text, lines
# it is laid out on (each character by the top of its box), set to the left]; then, scrolled to its right end, how far
# the first column's left edge is from the table's (0: the labels stay in view); and each header's text, line by line.
TABLES = """() => {
  const lines = cell => {  // the text of each line the cell is laid out on, by the top of each character's box
    const tops = new Map(), walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), r = document.createRange();
    let last = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        if (!n.data[i].trim()) { if (last !== null) tops.set(last, tops.get(last) + ' '); continue; }
        r.setStart(n, i); r.setEnd(n, i + 1);
        const box = [...r.getClientRects()].find(b => b.width > 0);
        if (box) { last = Math.round(box.top); tops.set(last, (tops.get(last) || '') + n.data[i]); }
      }
    }
    return [...tops.values()].map(line => line.trim());
  };
  return [...document.querySelectorAll('.v-window-item--active table')].map(t => {
    const rows = [...t.querySelectorAll('tbody tr')].map(row => [...row.querySelectorAll('td')].map(
      cell => [cell.innerText.trim(), lines(cell).length, getComputedStyle(cell).textAlign === 'left']));
    const scrolls = t.scrollWidth > t.clientWidth + 1;
    t.scrollLeft = t.scrollWidth;
    const drift = t.querySelector('tbody td').getBoundingClientRect().left - t.getBoundingClientRect().left;
    t.scrollLeft = 0;
    const heads = [...t.querySelectorAll('th')].map(lines);
    return [t.innerText.slice(0, 20).replace(/\\s+/g, ' '), scrolls, rows, Math.round(drift), heads];
  });
}"""


def cramped(tables: list) -> list[str]:
    """The cells that read badly: a number (set to the right) over more than one line, a verdict over more than two, a
    label with fewer than :data:`CHARACTERS_A_LINE` characters a line (one or two words a line, as in a column squeezed to
    its longest word); and the tables whose labels scroll out of view with the numbers."""
    found = []
    for head, scrolls, rows, drift, _ in tables:
        for (label, label_lines, _), *cells in rows:
            if label_lines > max(2, -(-len(label) // CHARACTERS_A_LINE)):
                found.append(f"{head}: the label '{label}' on {label_lines} lines")
            found += [f"{head}: '{text}' ({label}) on {n} lines" for text, n, left in cells if n > (2 if left else 1)]
        if scrolls and abs(drift) > 1:
            found.append(f"{head}: scrolled to its end, its labels are {drift} px off to the left")
    return found


@pytest.fixture(scope="module")
def measured(tmp_path_factory, shared_app) -> dict[int | str, list | dict]:
    """The tab's tables measured (:data:`TABLES`) at 1280 px and at :data:`SMALLEST_PHONE`, after an ensemble of
    :data:`REPLICATES` replicates of :data:`WHATIF`: one ensemble for the tests of this module; at the phone's width how
    the tab's words wrap ("words", :func:`~tests.app_browser.wrapping_faults`), and the Ensemble tab's tables and how its
    words wrap ("ensemble"). A screenshot of the phone's tables is left
    in the fixture's folder (phone.png), to look at where a test fails."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    folder = tmp_path_factory.mktemp("compare")
    with browser_page(BROWSER, width=1280, height=900) as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, WHATIF)
        run_ensemble(page, REPLICATES, of=WHATIF)
        tab(page, "What-if vs baseline")
        page.get_by_text("paired (same seeds)").first.wait_for(timeout=60_000)
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        found = {}
        for width in (1280, SMALLEST_PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(800)  # Vuetify's layout follows the window's size a moment later
            found[width] = page.evaluate(TABLES)
        found["words"] = wrapping_faults(page)  # the comparison's, on the phone
        page.mouse.click(SMALLEST_PHONE - 5, 450)  # the sidebar, open over a narrow page, closed for the picture
        page.wait_for_timeout(500)
        page.get_by_text("Headline scores against the record").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(folder / "phone.png"))
        tab(page, "Ensemble")  # the same replicates' scores and the towns they get wrong, on the phone
        page.locator(".v-window-item--active", has_text="Towns the runs most often get wrong").wait_for()
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        found["ensemble"] = [page.evaluate(TABLES), wrapping_faults(page)]
        page.screenshot(path=str(folder / "phone_ensemble.png"), full_page=True)
        assert refused == []
    return found


def test_the_comparisons_tables_read_on_a_phone(measured):
    """At 360 px the headline scores' and the key quantities' tables were squeezed to their longest words: the verdict
    ('further / from / the / record / ...') and the labels took a word a line, a row was 100 px high for one line of
    numbers, and scrolled sideways to the interval and the verdict, the labels were out of view. At 1280 px nothing
    scrolls sideways, and a table that fitted on the phone (the towns) still fits. A key quantity's label takes at
    most three lines of the phone's. The outcomes that changed beyond chance (measured first in round 64: with two
    replicates none had) took five lines of the phone's label column for a sentence such as 'Sheikh Mansour passes to
    the government around 6 Feb 2020'."""
    heads = [head for head, *_ in measured[SMALLEST_PHONE]]
    assert all(any(h.startswith(first) for h in heads) for first in ("score", "quantity", "outcome baseline")), heads
    assert [head for head, scrolls, *_ in measured[1280] if scrolls] == []
    assert [head for head, scrolls, *_ in measured[SMALLEST_PHONE] if head.startswith("town") and scrolls] == []
    read_badly = {width: cramped(tables) for width, tables in measured.items() if width in (1280, SMALLEST_PHONE)}
    assert read_badly == {1280: [], SMALLEST_PHONE: []}, read_badly
    # The violations' label, with its way of counting in brackets, took six lines of a phone's label column.
    quantities = next(rows for head, _, rows, *_ in measured[SMALLEST_PHONE] if head.startswith("quantity"))
    assert [(label, n) for (label, n, _), *_ in quantities if n > 3] == []
    assert measured["words"] == {}, measured["words"]


def test_the_comparisons_headers_break_between_words_on_at_most_two_lines(measured):
    """At 360 px the towns' "B − A" broke after its B ("B" over "− A"), "what-if (B)" after "what-", and "closer to the
    record when", over a column of "lower" and "higher", took a word a line (four lines). A header takes at most two
    lines, "B − A" one, and none breaks inside a word."""
    broken = {width: [(head, lines) for head, *_, headers in tables for lines in headers
                      if len(lines) > (1 if " ".join(lines).split() == ["B", MINUS, "A"] else 2)
                      or any(line.endswith("-") for line in lines[:-1])]
              for width, tables in measured.items() if width in (1280, SMALLEST_PHONE)}
    assert broken == {1280: [], SMALLEST_PHONE: []}, broken


def test_the_ensembles_scores_and_missed_towns_fit_a_phone(measured):
    """At 360 px the Ensemble tab's headline scores took a column 26 px wider than the page, their notes cut off at its
    edge; and the towns the runs most often get wrong took a long name three lines ('Maarat / al- / Numan')."""
    tables, off = measured["ensemble"]
    missed = [rows for head, _, rows, *_ in tables if head.startswith("town set")]
    assert len(missed) == 1, [head for head, *_ in tables]
    assert [(label, n) for (label, n, _), *_ in missed[0] if n > 2] == []
    assert off == {}, off


def outcomes_in_window(scenario: str, tmp_path) -> list:  # noqa: ANN001 - pytest's tmp_path
    """The record's outcomes a run of ``scenario`` is scored on (the app's table has a row for each)."""
    import sim

    return sim.scorecard(sim.run_ensemble(sim.load_scenario(scenario), 1, tmp_path / "one run")).scores


def test_the_ensembles_outcomes_read_on_a_phone(tmp_path, shared_app):
    """On a 390-px phone the Ensemble tab's outcomes were squeezed to their longest words, as the comparison's tables
    were: the Moscow ceasefire's first outcome ('The Moscow ceasefire holds and the front does not move for four weeks
    after 6 March') took eleven lines of a word or two. An outcome's description keeps a reading width."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    moscow = "scenarios/moscow.yaml"
    with browser_page(BROWSER, width=390, height=844) as (page, refused):
        open_app(page, shared_app)
        pick_scenario(page, moscow)
        page.mouse.click(385, 450)  # the sidebar, open over a narrow page, closed
        run_ensemble(page, 2, of=moscow)
        page.get_by_text("Outcomes against the record").first.wait_for()
        page.wait_for_function("() => !document.querySelector('.v-window-item--active[class*=transition]')")
        tables, words = page.evaluate(TABLES), wrapping_faults(page)
        page.get_by_text("Outcomes against the record").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(tmp_path / "outcomes.png"))  # to look at where the test fails
        assert refused == []
    outcomes = [rows for head, _, rows, *_ in tables if head.startswith("outcome")]
    assert len(outcomes) == 1 and len(outcomes[0]) == len(outcomes_in_window(moscow, tmp_path)), [head for head, *_ in tables]
    squeezed = [(label, n) for (label, n, _), *_ in outcomes[0] if n > max(2, -(-len(label) // CHARACTERS_A_LINE))]
    assert squeezed == [], squeezed
    assert words == {}, words
