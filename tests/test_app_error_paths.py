"""The app's error alerts outside the Save tab (a failed Reset, a failed ensemble, a view that raised) show a path
as the Save tab's alerts do (sim/app/breaks.py): between its parts it may break, and any other long word breaks at
the alert's edge. Rendered with Solara's test helpers; tests/test_app_browser_error_phone.py checks a phone's page."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from sim.app.breaks import LONG_WORDS, PART, css  # noqa: E402
from sim.errors import InputError  # noqa: E402

from .app_page import button, page, page_saving_into, texts  # noqa: E402, F401 - page: a fixture
from .conftest import ROOT  # noqa: E402

FOLDER = "what_ifs_for_the_idlib_seminar_of_december"  # longer than a phone's line
PART_OPEN = f'<span class="{PART}">'


def alert_html(rc, says: str) -> str:  # noqa: ANN001
    """The HTML of the error alert whose text holds ``says``: its text must be one Breakable (solara.HTML) in the
    alert's words' style, not the alert's plain text (one word per path, which ran off a phone's page)."""
    alerts = [a for a in rc.find(v.Alert).widgets if says in texts(a)]
    assert alerts, f"no alert says {says!r}"
    (alert,) = alerts
    assert alert.type == "error"
    inner = [c for c in alert.children if isinstance(getattr(c, "unsafe_innerHTML", None), str)]
    assert inner, f"the alert's text is plain, not a Breakable: {alert.children}"
    assert inner[0].attributes.get("style") == css(LONG_WORDS), inner[0].attributes
    return inner[0].unsafe_innerHTML


def parts_of(shown: str, path: str) -> None:
    """``path`` is in ``shown`` as a block of one block per part (each folder with its '/')."""
    folders = [f"{p}/" for p in path.split("/")[:-1]]
    if folders[0] == "/":  # an absolute path's first '/' goes with its first folder
        folders[:2] = ["/" + folders[1]]
    for folder in folders:
        assert PART_OPEN + re.sub(r"_", "_<wbr>", folder) + "</span>" in shown, (folder, shown)


def a_whatif(saved):  # noqa: ANN001
    """A what-if in a folder with a long name, in the app's what-if folder."""
    folder = saved / FOLDER
    folder.mkdir()
    file = folder / "mine.yaml"
    file.write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: mine\n")
    return file


def test_a_failed_reset_breaks_its_path_between_parts(page):
    """'Reset could not build the sidebar's settings ...' printed the picked file's path, which its error names, as
    one word: on a phone it ran off the page."""
    box, rc, saved = page
    file = a_whatif(saved)
    rc.find(v.Select).widget.v_model = str(file)
    file.unlink()  # gone since it was picked
    button(rc, "Reset").click()
    shown = alert_html(rc, "Reset could not build")
    parts_of(shown, str(file))
    assert "no such scenario file" in shown, shown


def test_a_failed_ensemble_breaks_its_path_between_parts_on_both_tabs(page):
    """'The ensemble failed: ...' (the Ensemble tab) and '... nothing to compare: ...' (the What-if tab) printed the
    error's path as one word."""
    box, rc, saved = page
    file = a_whatif(saved)
    rc.find(v.Select).widget.v_model = str(file)
    file.unlink()
    rc.find(v.Tabs).widget.v_model = 1
    [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 1
    button(rc, "Run ensemble (1)").click()
    parts_of(alert_html(rc, "The ensemble failed:"), str(file))
    rc.find(v.Tabs).widget.v_model = 2
    parts_of(alert_html(rc, "nothing to compare"), str(file))


def test_a_view_that_failed_breaks_its_path_between_parts():
    """'This view failed: ...' printed the exception's text, a path in it, as one word."""
    from sim.app.guard import Guarded

    path = f"/tmp/{FOLDER}/mine.yaml"

    @solara.component
    def View():
        raise InputError(path, "edited into an error")

    box, rc = solara.render(Guarded(View), handle_error=False)
    try:
        shown = alert_html(rc, "This view failed")
        parts_of(shown, path)
        assert "This view failed: InputError:" in texts(box), texts(box)
    finally:
        rc.close()


def test_a_figure_that_could_not_be_drawn_breaks_its_path_between_parts(tmp_path, monkeypatch):
    """The tabs' own alerts, for a figure that could not be drawn (the run's map and time series, the ensemble's
    probability map and towns held, the comparison's maps), printed the error as plain text: a path in it was one word,
    which ran off a phone's page, as the other alerts' did before round 75. No input is known to make a figure fail
    (a drawing's error is caught where it is drawn), so here each drawing fails with a path in its error."""
    from sim.app import ensemble_view, figures

    path = f"/tmp/{FOLDER}/mine.yaml"

    def failing(what: str):  # noqa: ANN202 - a drawing that raises
        def draw(*_: object, **__: object) -> None:
            raise RuntimeError(f"{what} cannot be drawn from {path}")
        return draw

    for owner, name in ((figures.LiveMap, "pieces"), (figures.LiveSeries, "pieces"), (ensemble_view, "map_figure"),
                        (ensemble_view, "towns_held_figure"), (ensemble_view, "compare_figure")):
        monkeypatch.setattr(owner, name, failing(f"{owner.__name__}.{name}"))
    with page_saving_into(tmp_path, monkeypatch) as (box, rc, _):
        shown = {"map": alert_html(rc, "The map could not be drawn"),
                 "series": alert_html(rc, "The time series could not be drawn")}
        rc.find(v.Select).widget.v_model = "scenarios/whatif/jan_truce_holds.yaml"  # a what-if: a comparison too
        rc.find(v.Tabs).widget.v_model = 1
        [s for s in rc.find(v.Slider).widgets if s.max == 200][0].v_model = 1
        button(rc, "Run ensemble (1)").click()
        shown |= {"probability map": alert_html(rc, "map_figure cannot be drawn"),
                  "towns held": alert_html(rc, "towns_held_figure cannot be drawn")}
        rc.find(v.Tabs).widget.v_model = 2
        shown["both maps"] = alert_html(rc, "compare_figure cannot be drawn")
    for shown_in in shown.values():
        parts_of(shown_in, path)
