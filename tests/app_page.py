"""The app's page rendered with Solara's test helpers, without a browser: the ``page`` fixture (and
:func:`page_saving_into`, for a fixture that renders one page for several tests) and the helpers that read it (its text,
its buttons, its images), shared by tests/test_app.py and tests/test_app_views.py.

Import only where the app extra is installed (the test modules skip first).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import Iterator
from pathlib import Path

import ipyvuetify as v
import ipywidgets as w
import pytest
import solara
from solara.server import kernel_context

from sim.app.breaks import BREAK, PART

from .conftest import ROOT


_BLOCK = re.compile(rf'<span class="{PART}">((?:[^<]|<wbr>|<span>[^<]*</span>)*)</span>')  # (a '$' in a span of its own)


def unbroken(html_text: str) -> str:
    """``html_text`` without the markup where a path may break (:func:`sim.app.breaks.path_html`), as it is read."""
    while _BLOCK.search(html_text):
        html_text = _BLOCK.sub(lambda m: re.sub(r"<wbr>|</?span>", "", m[1]), html_text)
    return html_text


def texts(widget, *, as_copied: bool = False) -> str:  # noqa: ANN001
    """Every piece of text a widget tree shows (markdown, labels, alerts, buttons, the sidebar's paths), joined, as a
    reader reads it: without the invisible spaces where a path in plain text may break
    (:func:`sim.app.breaks.breakable`), or with them (``as_copied``), as a user who copies it gets it."""
    out: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, str):
            out.append(x)
            return
        if isinstance(x, v.VuetifyTemplate):  # Markdown's HTML, a path's characters written as references
            out.append(html.unescape(unbroken(str(x.template))))
        if isinstance(getattr(x, "unsafe_innerHTML", None), str):  # solara.HTML's
            out.append(html.unescape(unbroken(x.unsafe_innerHTML)))
        for slot in getattr(x, "v_slots", None) or []:
            for c in slot["children"] if isinstance(slot["children"], list) else [slot["children"]]:
                walk(c)
        for attr in ("children", "label", "v_model", "messages"):
            value = getattr(x, attr, None)
            if isinstance(value, list | tuple):
                for c in value:
                    walk(c)
            elif isinstance(value, str) and attr != "children":
                out.append(value)
            elif isinstance(value, w.Widget):
                walk(value)

    walk(widget)
    return "\n".join(out) if as_copied else "\n".join(out).replace(BREAK, "")


def strong(markdown: str) -> str:
    """Markdown's bold as the page renders it."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", markdown)


def button(rc, label: str) -> v.Btn:  # noqa: ANN001
    found = [b for b in rc.find(v.Btn).widgets if any(label in str(c) for c in b.children)]
    assert found, f"no button '{label}'"
    return found[0]


def images(rc) -> list[bytes]:  # noqa: ANN001
    return [i.value for i in rc.find(w.Image).widgets]


def wait_for(predicate, seconds: float = 120) -> None:  # noqa: ANN001
    deadline = time.time() + seconds
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


class InlineTask:
    """The ensemble task run in the test's own thread: Solara's dummy kernel cannot render from a task thread
    (the browser test runs the real, threaded task)."""

    def __init__(self, fn) -> None:  # noqa: ANN001
        self.fn = fn
        self.state = solara.reactive(("not_called", None, None))
        self.progress = None

    def __call__(self, *args: object) -> None:
        self.state.set(("pending", None, None))
        try:
            self.state.set(("finished", self.fn(*args), None))
        except Exception as exc:  # noqa: BLE001 - shown by the page, as the real task's error is
            self.state.set(("error", None, exc))

    pending = property(lambda self: self.state.value[0] == "pending")
    finished = property(lambda self: self.state.value[0] == "finished")
    error = property(lambda self: self.state.value[0] == "error")
    value = property(lambda self: self.state.value[1])
    exception = property(lambda self: self.state.value[2])


@solara.component
def At(address: str, child: solara.Element):
    """``child`` rendered as the page the browser asked for at ``address`` (its router, as Solara's server gives it)."""
    solara.routing.router_context.provide(solara.routing.Router(address, routes=[]))
    return child


@pytest.fixture
def page(tmp_path, monkeypatch):
    """The page, its what-ifs saved into ``tmp_path`` (which holds one that does not load, broken.yaml): (its box,
    its render context, the save folder)."""
    (tmp_path / "broken.yaml").write_text("extends: nowhere.yaml\nname: broken\n")
    with page_saving_into(tmp_path, monkeypatch) as shown:
        yield shown


@contextlib.contextmanager
def page_saving_into(save_dir: Path, monkeypatch: pytest.MonkeyPatch, address: str = "/") -> Iterator[tuple]:
    """The page, rendered with its what-ifs saved into ``save_dir`` (the server's save folder), opened at ``address``
    (a path and query string, as a browser asks for it): (its box, its render context, ``save_dir``)."""
    monkeypatch.setenv("SIM_APP_ROOT", str(ROOT))
    monkeypatch.setenv("SIM_APP_SAVE_DIR", str(save_dir))
    monkeypatch.delenv("SIM_APP_SCENARIO", raising=False)
    from sim.app import ensemble_view
    from sim.app.app import Page

    monkeypatch.setattr(ensemble_view, "ensemble_task", InlineTask(ensemble_view.compute))

    loop = asyncio.new_event_loop()  # Solara's kernel asks for the current loop; without one Python warns
    asyncio.set_event_loop(loop)
    context = kernel_context.create_dummy_context()
    try:
        with context:
            box, rc = solara.render(solara.AppLayout(children=[At(address, Page())]), handle_error=False)
            yield box, rc, save_dir
            rc.close()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
