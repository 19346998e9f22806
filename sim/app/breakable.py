"""The page's text whose paths break between their parts (:mod:`sim.app.breaks`), as a Solara element.

Kept apart from :mod:`sim.app.breaks`, which writes the text and imports no Solara, so that the modules that write the
page's words without Solara (:mod:`sim.app.outcome_words`, which the scoring tests read without the app's extra) can
write them with it.
"""

from __future__ import annotations

import solara

from .breaks import LONG_WORDS, css, path_html


@solara.component
def Breakable(text: str, style: dict[str, str] | None = None, tag: str = "span", classes: list[str] | None = None):
    """``text`` shown as :func:`path_html` makes it: its paths break between their parts, and copy as they are."""
    return solara.HTML(tag=tag, unsafe_innerHTML=path_html(text), style=css(style or {}), classes=classes or [])


@solara.component
def ErrorAlert(text: str):
    """An error alert whose ``text`` breaks as every alert's on the page does: a path between its parts, any other long
    word at the alert's edge (:data:`~sim.app.breaks.LONG_WORDS`). The page's every error alert is one: the tabs'
    alerts for a figure that could not be drawn were plain text, a path in one running off a phone's page."""
    return solara.Error(children=[Breakable(text, LONG_WORDS)])
