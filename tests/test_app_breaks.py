"""Where the tabs' Markdown lets a path break (sim/app/breaks.py's ``exactly``), without a browser."""

from __future__ import annotations

import html
import re

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402

from sim.app.breaks import PART, exactly  # noqa: E402


def text(markdown: str) -> str:
    """The text Solara's Markdown shows for ``markdown`` (its HTML without tags)."""
    import solara

    box, rc = solara.render(solara.Markdown(markdown), handle_error=False)
    try:
        page = box.children[0].template
        body = page[page.index("<p>"):page.rindex("</p>")]
        return html.unescape(re.sub(r"<[^>]+>", "", body))
    finally:
        rc.close()


def test_an_absolute_path_in_the_tabs_markdown_breaks_between_its_parts_too():
    """A path from the root of the disk (a what-if in a --save-dir outside the project) was left one word: the Save
    tab's first sentence broke it at the page's edge, inside a name ('what_ifs_for_the_idlib_se' / 'minar')."""
    path = "/tmp/seminar/what_ifs_for_the_idlib_seminar/mine.yaml"
    shown = f"extends {exactly(path)} with what the sidebar changes"
    part = f'<span class="{PART}">'
    assert shown.startswith(f"extends {part}{part}&#47;tmp/</span>{part}seminar/</span>"), shown
    assert text(shown) == f"extends {path} with what the sidebar changes"


def test_a_path_in_code_breaks_between_its_parts():
    """The Save tab's first sentence names its save folder in code: a deep --save-dir broke at a phone's page edge
    inside a name (tests/test_app_browser_save_phone.py measures it)."""
    path = "/tmp/seminar/what_ifs_for_the_idlib_seminar"
    shown = f"A YAML file in <code>{exactly(path)}</code> that `extends` it"
    part = f'<span class="{PART}">'
    assert shown.startswith(f"A YAML file in <code>{part}{part}&#47;tmp/</span>{part}seminar/</span>"), shown
    assert text(shown) == f"A YAML file in {path} that extends it"


@pytest.mark.parametrize("after", [",", ".", ";", ":", ")", "),"])
def test_the_punctuation_after_a_path_stays_on_its_line(after):
    """The path is a block of its own, and a line may break after a block: at 360 px the One run tab's heading began a
    line with the comma after the scenario's path ('scenarios/campaign.yaml' / ', replicate 0 ...')."""
    shown = f"One run: {exactly(f'scenarios/campaign.yaml{after}')} replicate 0"
    part = f'<span class="{PART}">'
    whole = shown[shown.index(part):shown.rindex("</span>") + len("</span>")]  # the path's outer block
    assert html.unescape(re.sub(r"<[^>]+>", "", whole)) == f"scenarios/campaign.yaml{after}", shown
    assert shown.endswith("</span> replicate 0"), shown
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == f"One run: scenarios/campaign.yaml{after} replicate 0"


def test_a_path_shows_its_underscores_and_stars_as_they_are():
    """A path is HTML in the tabs' Markdown, which read a '_' or '*' in it as emphasis: a --save-dir of
    '/tmp/__drafts__' showed as '/tmp/drafts_' with 'drafts' in italics; in code too, once the Save tab's save folder
    was HTML to break between its parts."""
    path, code = "/tmp/__drafts__/scenarios/__x__.yaml", "/tmp/__drafts__/what_if*s*/for_[the](seminar)"
    assert text(f"in {exactly(path)} or <code>{exactly(code)}</code> here") == f"in {path} or {code} here"


def test_a_folder_named_with_emoji_shortcodes_or_dollars_shows_as_it_is(tmp_path):
    """The tabs' text is Markdown, which read a path's ':smile:' as an emoji (a picture the page fetched from a CDN,
    in the Save tab's first sentence) and its '$...$' as maths for the page's KaTeX. A path shows as it is named."""
    import asyncio

    import solara
    from solara.server import kernel_context

    from sim.app.config import AppConfig
    from sim.app.export_view import ExportView
    from sim.app.settings import Settings, load_controls

    from .conftest import ROOT

    save = tmp_path / "notes:smile:_for:+1:" / "$HOME$_seminar"
    save.mkdir(parents=True)
    config = AppConfig(ROOT, save, load_controls(ROOT / "scenarios" / "app" / "controls.yaml"), "scenarios/campaign.yaml")
    loop = asyncio.new_event_loop()  # Solara's kernel asks for the current loop (as tests/app_page.py's page)
    asyncio.set_event_loop(loop)
    try:
        with kernel_context.create_dummy_context():
            box, rc = solara.render(ExportView(Settings("scenarios/campaign.yaml"), config), handle_error=False)
            page = next(t for t in (str(w.template) for w in rc.find(v.VuetifyTemplate).widgets) if "A YAML file" in t)
            rc.close()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    body = page[page.index("<p>"):page.rindex("</p>")]
    assert "<img" not in body, "no emoji's picture"
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == (f"A YAML file in {save} that extends scenarios/campaign.yaml "
                                                           "with what the sidebar changes: rerun it from the command "
                                                           "line, cite it, or pick it in the scenario list.")
    # KaTeX's auto-render reads '$...$' within one run of text: no run of the path holds a '$' beside anything else.
    assert [run for run in re.findall(r">([^<]*)<", body) if "$" in html.unescape(run)] == ["&#36;"] * 2, body
    # In a sentence too (the One run tab's heading), where its '_..._' read as emphasis besides.
    path = "/tmp/notes:smile:/a_$x$_b/mine.yaml"
    assert text(f"One run: {exactly(f'{path},')} replicate 0") == f"One run: {path}, replicate 0"
