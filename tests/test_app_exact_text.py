"""The user's strings in the app's Markdown show exactly as they are (sim/app/breaks.py's ``exactly``), without a
browser: a what-if file's folder, name, description and changes (a ``theatre:`` path among them), the save folder,
the towns and the outcomes' descriptions, each written with what Markdown, its emoji and the page's maths would read.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from sim.analysis.comparison import Difference  # noqa: E402
from sim.analysis.outcomes import ConditionOutcome  # noqa: E402
from sim.analysis.results import RunData  # noqa: E402
from sim.app.breaks import exactly  # noqa: E402

from .app_page import button, page_saving_into, wait_for  # noqa: E402
from .conftest import ROOT  # noqa: E402

# Emphasis, an emoji's shortcode, maths (both KaTeX's delimiters), a tag, a link, code, a table's cell, a list, a
# heading and Vue's expression were each read in some place of the page.
HOSTILE = r"*a* _b_ :smile: $x$ \(y\) <b>c</b> [l](u) `d` | 1. e # f {{ 6*7 }}"  # (Vue read the last as 42)
LONG = "a_name_" + "much_longer_than_any_line_" * 6 + "end"
FOLDER = "*a*_b_:smile:_$x$_<b>c_[l](u)_`d`_{{6*7}}"  # a folder's name: no '/', which a name cannot hold


def shown(markdown: str) -> tuple[str, str]:
    """(the HTML Solara's Markdown makes of ``markdown``, the text it shows)."""
    _, rc = solara.render(solara.Markdown(markdown), handle_error=False)
    try:
        return markdowns(rc)[0]
    finally:
        rc.close()


MARKDOWN = re.compile(r'\s*<template>\s*<div class="solara-markdown[^"]*" style="[^"]*">(.*?)</div>\n</template>', re.S)


def markdowns(rc) -> list[tuple[str, str]]:  # noqa: ANN001
    """Every Markdown of the page: (its HTML, the text it shows)."""
    out = []
    for template in (str(w.template) for w in rc.find(v.VuetifyTemplate).widgets):
        if found := MARKDOWN.match(template):
            out.append((found[1], html.unescape(re.sub(r"<[^>]+>", "", found[1]))))
    return out


def read_as_written(body: str) -> None:
    """Nothing in ``body`` (HTML) that Markdown made of a user's string: no emoji's picture, link, code, bold tag or
    list of its own, and no run of text holding '$', '\\' or '{' beside anything else (KaTeX and Vue read their
    delimiters in a run)."""
    for made in ("<img", "<a ", "<code>d", "<b>", "<ol>"):
        assert made not in body, (made, body)
    runs = [html.unescape(run) for run in re.findall(r">([^<]*)<", f">{body}<")]
    assert [run for run in runs if ("$" in run or "\\" in run or "{" in run) and len(run) > 1] == [], body


@pytest.mark.parametrize("where", ["{}", "- {}", "| x |\n|---|\n| {} |", "**{}**", "*{}*", "Text: {}, and more",
                                   "### {}"])
@pytest.mark.parametrize("text", [HOSTILE, f"/tmp/{FOLDER}/{LONG}.yaml", "1. a list", "- an item", "---", "  spaced  ",
                                  "a\n\n- new paragraph\n# heading"])
def test_a_users_string_shows_exactly_as_it_is_wherever_it_stands(where, text):
    """:func:`exactly` writes a string so that Markdown reads nothing in it: at a line's start ('1. ' a list, '---' a
    rule), in a list, a table's cell, bold or a heading. (A newline shows as the space it is in HTML, and the spaces
    at the string's ends as one.)"""
    body, read = shown(where.format(exactly(text)))
    read_as_written(body)
    expected = re.sub(r"\s+", " ", text)
    assert expected.strip() in re.sub(r"\s+", " ", read), (read, body)
    assert "<hr" not in body and "<ul>\n<li><ul>" not in body and body.count("<h") <= where.count("#"), body


def hostile_whatif_in(save: Path) -> tuple[Path, Path]:
    """A what-if file in the folder ``save`` (made), whose name, description, theatre's folder and truce's name are
    strings Markdown reads (a truce that is kept, so that a comparison has something to say): (it, its theatre's
    file)."""
    theatre = save / "theatres" / FOLDER
    shutil.copytree(ROOT / "scenarios" / "theatres", theatre)
    whatif = save / f"{FOLDER}.yaml"
    whatif.write_text(yaml.safe_dump({
        "extends": str(ROOT / "scenarios" / "jan_truce.yaml"), "name": "hostile",
        "description": f"{HOSTILE}\n\n- {LONG}", "theatre": str(theatre / "idlib.yaml"),
        "events": [{"id": "jan-truce", "name": HOSTILE, "compliance": {"regime": 0.995}, "restraint": 0.9}]}))
    return whatif.resolve(), (theatre / "idlib.yaml").resolve()


@pytest.fixture
def hostile_whatif(tmp_path, monkeypatch):
    """The page, saving into a folder named with what Markdown reads, which holds :func:`hostile_whatif_in`'s file,
    picked: (the page's render context, the file, its theatre's file)."""
    whatif, theatre = hostile_whatif_in(tmp_path / FOLDER)
    with page_saving_into(whatif.parent, monkeypatch) as (box, rc, _):
        rc.find(v.Select).widget.v_model = str(whatif)
        yield rc, whatif, theatre


def test_a_whatif_files_strings_show_exactly_in_every_tab(hostile_whatif):
    """A what-if file's description in the sidebar, its changes (the ``theatre:`` path in one, found in a change line
    only by its look, read its folder's ':smile:' as an emoji), the file and the save folder in each tab's first lines,
    and its title in the What-if tab's sentence were Markdown to the page."""
    rc, whatif, theatre = hostile_whatif
    truce = f"(events.jan-truce.name): January 2020 Idlib truce → {HOSTILE}"
    wait_for(lambda: any(truce in text for _, text in markdowns(rc)), 30)
    texts = [text for _, text in markdowns(rc)]
    description = f"{HOSTILE} - {LONG} (1 December 2019 to 31 January 2020)"  # (its newlines are spaces in HTML)
    assert description in [re.sub(r"\s+", " ", text) for text in texts], texts
    listed = next(text for text in texts if text.startswith("This what-if file changes from"))
    assert f"\ntheatre: scenarios/theatres/idlib.yaml → {theatre}\n" in listed, listed
    assert truce in listed, listed
    button(rc, "Reset").click()  # the One run tab runs the picked file
    assert f"One run: {whatif}, replicate 0 (seed 20200112)" in "\n".join(t for _, t in markdowns(rc))
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    assert f"A YAML file in {whatif.parent} that extends {whatif} with what" in "\n".join(t for _, t in markdowns(rc))
    rc.find(v.Tabs).widget.v_model = 1  # Ensemble
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 1
    button(rc, "Run ensemble (1)").click()
    wait_for(lambda: any(re.search(r"^1 replicate of ", text) for _, text in markdowns(rc)), 60)
    said = next(text for _, text in markdowns(rc) if text.startswith("1 replicate of "))
    assert said.startswith(f"1 replicate of {whatif} (") and f"theatre: scenarios/theatres/idlib.yaml → {theatre}" in said, said
    assert said.endswith(", and 1 of its baseline scenarios/jan_truce.yaml"), said
    rc.find(v.Tabs).widget.v_model = 2  # What-if vs baseline
    texts = [text for _, text in markdowns(rc)]
    lead = next(text for text in texts if text.startswith("A = "))
    assert lead.startswith(f"A = scenarios/jan_truce.yaml, B = {whatif}, which changes from A: "), lead
    assert f"theatre: scenarios/theatres/idlib.yaml → {theatre}" in lead and truce in lead, lead
    assert any(text.startswith(f"In short (what-if: {HOSTILE[:20]}") for text in texts)
    for body, _ in markdowns(rc):
        read_as_written(body)


def test_towns_and_outcomes_named_in_the_users_files_show_exactly():
    """A town's name (a theatre's, in a list, a table and a sentence) and an outcome's description (an outcomes file's)
    are shown as they are named."""
    from sim.app.compare_words import outcomes_markdown, summary, towns_markdown
    from sim.app.ensemble import towns_markdown as ensemble_towns
    from sim.app.run_view import recent_captures

    events = pd.DataFrame([{"date": "2020-01-30", "type": "capture", "town": HOSTILE, "actors": "regime;rebels",
                            "detail": "rebels -> regime (assault)"}])
    run = RunData(1, dt.date(2020, 1, 25), np.zeros((8, 2), np.int8), events, pd.DataFrame({"date": []}))
    towns = pd.DataFrame({"town": [HOSTILE, LONG], "p_regime_a": [0.5, 0.6], "p_regime_b": [0.7, 0.9],
                          "low": [0.125, 0.2], "high": [0.275, 0.4]})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    outcome = ConditionOutcome(id="o0", set="calibration", kind="condition", description=HOSTILE,
                               period=(dt.date(2020, 1, 1), dt.date(2020, 1, 2)), max_captures=0, source=["x"])
    c = SimpleNamespace(intervals=True, date=dt.date(2020, 3, 5), a=SimpleNamespace(
        scores=[SimpleNamespace(outcome=outcome)], results=SimpleNamespace(theatre=None)), b=SimpleNamespace(scores=[]),
        outcomes=[Difference("o0", 0.5, 0.9, 0.125, 0.6)], headlines=[], same_runs=False)
    held = [Difference("towns_regime", 10.0, 11.0, 0.5, 1.5)]
    ensemble = pd.DataFrame({"town": [HOSTILE], "p_regime": [1.0], "p_hts": [0.0], "p_rebels": [0.0]})
    for markdown, named in ((recent_captures(run, 7)[0], f"30 January 2020: {HOSTILE} (Turkish-backed rebels"),
                            (towns_markdown(towns, dt.date(2020, 1, 29), c), f"\n{HOSTILE}\n"),
                            (towns_markdown(towns, dt.date(2020, 1, 29), c), f"\n{LONG}\n"),
                            (ensemble_towns(ensemble), f"\n{HOSTILE}\n"),
                            (outcomes_markdown(c), f"\n{HOSTILE}\n"),
                            (summary(c, held, towns, dt.date(2020, 1, 29), (f"A {HOSTILE}", f"B {HOSTILE}")),
                             f"(B {HOSTILE} against A {HOSTILE})")):
        body, read = shown(markdown)
        read_as_written(body)
        assert named in read, (named, read, body)


def test_a_posts_name_with_a_backslash_is_put_in_an_outcomes_description_as_it_is():
    """A post's name stood in for its id as re.sub's replacement template: a '\\' in a theatre's post name raised
    ("bad escape") or was read as a group reference (round 70's audit)."""
    from types import SimpleNamespace

    from sim.app.outcome_words import described

    theatre = SimpleNamespace(posts=[SimpleNamespace(id="p-1", name=r"Tell \1 \g<0> post")])
    outcome = SimpleNamespace(description="the p-1 post encircled")
    assert described(outcome, theatre) == r"the Tell \1 \g<0> post encircled"
