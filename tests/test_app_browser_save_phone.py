"""The Save & export tab's messages on a phone (360 px) in a real browser (headless Chromium, as
tests/test_app_browser_phone.py): each warning, error and notice it can show stays on the page, and a path in one
breaks between its parts, not inside a name."""

from __future__ import annotations

import os
import shutil

from . import app_browser as ab
from .app_browser import ROOT, SHOWN_TAB, SMALLEST_PHONE, open_app, pick_scenario, tab, wrapping_faults

BROWSER = ab.find_browser()
pytestmark = ab.browser_test_marks()

SHOWN = SHOWN_TAB
SETTLED = "() => !document.querySelector('.v-window-item--active[class*=transition]')"
TAKEN = "taken_for_the_seminar"


def close_sidebar(page) -> None:  # noqa: ANN001
    page.mouse.click(SMALLEST_PHONE - 5, 450)  # Mesa's sidebar lies over a narrow page, open, until a tap outside it
    page.locator(".v-navigation-drawer--open").wait_for(state="hidden")


def open_sidebar(page) -> None:  # noqa: ANN001
    page.locator(".v-app-bar__nav-icon").click()
    page.locator(".v-navigation-drawer--open").wait_for()
    page.wait_for_function("() => !document.querySelector('.v-navigation-drawer').getAnimations().length")


def read(page, says: str) -> dict[str, list[str]]:  # noqa: ANN001
    """Once the tab shows an alert with ``says``: how its words wrap (:func:`~tests.app_browser.wrapping_faults`; the
    YAML, in code, is left out)."""
    page.locator(f"{SHOWN} .v-alert", has_text=says).first.wait_for()
    page.wait_for_function(SETTLED)
    return wrapping_faults(page)


def seminar_folder(tmp_path):  # noqa: ANN001, ANN201
    """(a save folder whose name is longer than a phone's line, its what-if 'mine.yaml' of the campaign)."""
    save = tmp_path / "what_ifs_for_the_idlib_seminar_of_december"
    save.mkdir()
    mine = save / "mine.yaml"
    mine.write_text(f"extends: {os.path.relpath(ROOT / 'scenarios' / 'campaign.yaml', save)}\nname: mine\n")
    return save, mine


def test_the_save_tabs_warnings_stay_on_a_phones_page(tmp_path, app_saving_into):
    """At 360 px the warning that the what-if's file exists already ran its path (one long word) off the page's right
    edge, and the sentence after it with it; so did the warnings of a name that differs from a file's only by case and
    of a picked file that does not load, and the error of a save that could not write its folder. The file it would be
    saved as, under the name, broke inside a name ('seminar_of_de' / 'cember'), and so did the tab's first sentence
    where the picked file's path was absolute (a what-if in a --save-dir outside the project)."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    save, mine = seminar_folder(tmp_path)
    (save / f"{TAKEN}.yaml").write_text("name: taken\n")
    found = {}
    with ab.browser_page(BROWSER, width=SMALLEST_PHONE, height=844) as (page, refused):
        open_app(page, app_saving_into(save))
        pick_scenario(page, "mine.yaml")
        close_sidebar(page)
        mine.write_text("extends: nowhere.yaml\nname: mine\n")  # edited into an error once picked
        tab(page, "Save & export")
        found["broken"] = read(page, "cannot be used")
        open_sidebar(page)
        pick_scenario(page, "scenarios/campaign.yaml")
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        page.get_by_text("No Spring Shield").nth(1).wait_for()  # listed under "Changed"
        close_sidebar(page)
        name = page.get_by_label("Name of the what-if")
        for state, typed, says in (("exists", TAKEN, "exists already"), ("case", TAKEN.title(), "differ only by case"),
                                   ("in use", "campaign", "Cannot be saved"), ("no letters", "%" * 40, "no letters")):
            name.fill(typed)
            found[state] = read(page, says)
        name.fill("race_for_the_seminar")
        page.get_by_role("button", name="Save what-if").wait_for()
        # the file it would be saved as, once a name without letters had none: it read 'campaign.yaml', the one before
        hint = page.locator(f"{SHOWN} .v-messages").inner_text().replace("\n", "")
        shutil.rmtree(save)  # the folder gone, a file in its place: the save cannot write there
        save.write_text("not a folder\n")
        page.get_by_role("button", name="Save what-if").click()
        found["not saved"] = read(page, "Not saved")
        page.screenshot(path=str(tmp_path / "not_saved.png"), full_page=True)
        assert found == dict.fromkeys(found, {}), found
        assert hint == f"will be saved as {save / 'race_for_the_seminar.yaml'}", hint
        assert refused == []


# The lines the Save tab's first sentence's code (the save folder) is laid out in, and its text as a selection of it
# copies: where each line ends shows whether the path broke between its parts or inside a name.
SAVE_FOLDER_LINES = """() => {
  const p = [...document.querySelectorAll('.v-window-item--active p')]
    .find(e => e.innerText.startsWith('A YAML file in'));
  const code = p.querySelector('code'), lines = [], r = document.createRange();
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  let top = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      r.setStart(n, i); r.setEnd(n, i + 1);
      const box = [...r.getClientRects()].find(b => b.width > 0);
      if (!box) continue;
      if (top === null || box.top > top + 2) lines.push('');
      top = box.top;
      lines[lines.length - 1] += n.data[i];
    }
  }
  getSelection().selectAllChildren(code);
  return [lines, getSelection().toString()];
}"""


def test_the_save_tabs_first_sentence_breaks_its_folder_between_its_parts(tmp_path, app_saving_into):
    """At 360 px the save folder the tab's first sentence names in code (a deep --save-dir) broke at the page's edge,
    inside a name ('.../for/the/seminar/what_ifs_for_the_idli' / 'b_seminar_of_december'), where the tab's other paths
    break after a '/', or after a '_' of a part longer than a line."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    deep = tmp_path / "for" / "the" / "seminar"
    deep.mkdir(parents=True)
    save, _ = seminar_folder(deep)
    with ab.browser_page(BROWSER, width=SMALLEST_PHONE, height=844) as (page, refused):
        open_app(page, app_saving_into(save))
        close_sidebar(page)
        tab(page, "Save & export")
        page.locator(f"{SHOWN} .v-alert", has_text="Nothing to save").wait_for()
        page.wait_for_function(SETTLED)
        lines, copied = page.evaluate(SAVE_FOLDER_LINES)
        off = wrapping_faults(page)
        assert refused == []
    assert "".join(lines) == str(save) and len(lines) > 1, lines
    # each line but the last ends after a '/'; one that ends after a '_' holds one part alone, too long for a line
    cut = [line for line in lines[:-1] if not line.endswith("/") and not (line.endswith("_") and "/" not in line)]
    assert cut == [], lines
    assert copied == str(save), "the folder copies as its path, nothing added"
    assert off == {}, off


# Where the Save tab's code (the rerun commands, the YAML) goes onto a new line other than after a space or at the end
# of one of its lines: a word cut in two ('for_the:smi' / 'le:_seminar'), each as the text ends and the line begins.
CODE_CUT = """() => {
  const cut = [], r = document.createRange();
  for (const code of document.querySelectorAll('.v-window-item--active pre code')) {
    let text = '', top = null;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        r.setStart(n, i); r.setEnd(n, i + 1);
        const box = [...r.getClientRects()].find(b => b.width > 0);
        if (box) {
          if (top !== null && box.top > top + 2 && !/\\s$/.test(text)) cut.push(`'${text.split(/\\s/).pop()}' / '${n.data[i]}'`);
          top = box.top;
        }
        text += n.data[i];
      }
    }
  }
  return cut;
}"""


def test_the_saved_whatifs_code_keeps_its_paths_whole_and_names_them_as_they_are(tmp_path, app_saving_into):
    """At 360 px the rerun command and the YAML broke their paths at the box's edge, anywhere ('.../for_the:smile' /
    ':_seminar/...'): a path now stays whole, and its code box scrolls. And the Markdown of the tab's first sentence
    showed a folder's ':smile:' as a smiling face, a picture the page then fetched from another host."""
    assert BROWSER is not None, "SIM_REQUIRE_BROWSER is set and no headless Chromium is installed"
    save = tmp_path / "for_the:smile:_seminar" / "$HOME$_what_ifs_for_the_idlib_seminar_of_december"
    save.mkdir(parents=True)
    with ab.browser_page(BROWSER, width=SMALLEST_PHONE, height=844) as (page, refused):
        open_app(page, app_saving_into(save))
        page.locator(".v-input--checkbox", has_text="No Spring Shield").locator("input").check(force=True)
        page.get_by_text("No Spring Shield").nth(1).wait_for()  # listed under "Changed"
        close_sidebar(page)
        tab(page, "Save & export")
        page.get_by_label("Name of the what-if").fill("no spring shield (test)")
        page.get_by_role("button", name="Save what-if").click()
        page.locator(f"{SHOWN} .v-alert", has_text="Saved").wait_for()
        page.wait_for_function(SETTLED)
        cut, off = page.evaluate(CODE_CUT), wrapping_faults(page)
        first = page.locator(f"{SHOWN} p", has_text="A YAML file in").first.inner_text().replace("\n", "")
        page.screenshot(path=str(tmp_path / "saved.png"), full_page=True)
    assert cut == [] and off == {}, (cut, off)
    assert f"A YAML file in {save} that extends" in first, first
    assert refused == [], refused
