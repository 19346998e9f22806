"""The replicates the Save & export tab tells a user to rerun a saved what-if with: the suggested 40, and, where the
page ran these very settings with another number, that number too, whose rerun gives the page's numbers."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402

from sim.app.settings import Settings, load_controls  # noqa: E402
from sim.app.whatif import whatif_text  # noqa: E402

from .app_page import button, page, texts, wait_for  # noqa: E402, F401 - page: a fixture
from .conftest import ROOT  # noqa: E402

CONTROLS = load_controls(ROOT / "scenarios" / "app" / "controls.yaml")


def test_the_header_adds_the_pages_replicates_only_where_they_are_not_the_suggested_40(tmp_path):
    """A file saved after the page ran 5 replicates said only `--runs 40`: rerun so, it did not give the page's numbers.
    Where the page ran 40, or nothing, the file is as it was, byte for byte."""
    s = Settings("scenarios/whatif/no_saraqib_posts.yaml").with_toggle("no-spring-shield", True)
    file = tmp_path / "x.yaml"
    plain = whatif_text(s, CONTROLS, file, "x", ROOT)
    assert whatif_text(s, CONTROLS, file, "x", ROOT, ran=40) == plain
    assert whatif_text(s, CONTROLS, file, "x", ROOT, ran=None) == plain
    five = whatif_text(s, CONTROLS, file, "x", ROOT, ran=5).splitlines()
    rerun = plain.splitlines().index(f"# Rerun: python -m sim run {file.resolve()} --runs 40")
    assert five == [*plain.splitlines()[:rerun + 1],
                    f"# As the app ran it (5 replicates, the page's numbers): python -m sim run {file.resolve()} --runs 5",
                    *plain.splitlines()[rerun + 1:]]


def shown(box) -> str:  # noqa: ANN001
    """The page's text as a reader sees it: without its tags (a code block's words are each in a span of colour)."""
    return re.sub(r"<[^>]+>", "", texts(box))


def test_the_save_tab_gives_the_command_with_the_replicates_the_page_ran(page):
    """After an ensemble of 2 replicates the Save tab said to rerun the saved file with `--runs 40` alone, in its
    message and in the file's header: that rerun gave other numbers than the page's. Once the sidebar moves, the page
    has not run the settings saved, and 40 is said alone."""
    box, rc, saved = page
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    rc.find(v.Tabs).widget.v_model = 1
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 2
    button(rc, "Run ensemble (2)").click()
    wait_for(lambda: re.search(r"\b2 replicates</strong> of", texts(box)))
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    rc.find(v.TextField).widget.v_model = "two"
    button(rc, "Save what-if").click()
    file = saved / "two.yaml"
    text = shown(box)
    assert f"python -m sim run {file} --runs 2" in text and f"python -m sim run {file} --runs 40" in text, \
        text[text.index("Saved "):][:600]
    assert f"(2 replicates, the page's numbers): python -m sim run {file} --runs 2" in file.read_text()

    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = False
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No posts around Saraqib"][0].v_model = True
    rc.find(v.TextField).widget.v_model = "other"
    button(rc, "Save what-if").click()
    other = saved / "other.yaml"
    text = shown(box)
    assert f"python -m sim run {other} --runs 40" in text and "--runs 2" not in text, text[text.index("Saved "):][:600]
    assert "--runs 2" not in other.read_text() and "the page's numbers" not in other.read_text()
