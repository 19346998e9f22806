"""The page: Mesa's SolaraViz around the model, the sidebar's settings, and four tabs.

Start it with ``python -m sim app`` (or ``solara run sim.app.app`` from the
repository root). SolaraViz gives the app bar, the play / step / Reset
controls and the step count, and steps a :class:`~sim.app.live.WhatIfModel`
held in a reactive variable; its Reset builds a new one from the sidebar
(the settings reach it as a fixed model parameter, a
:class:`~sim.app.live.SidebarSettings` returning the sidebar's current
:class:`~sim.app.settings.Settings`). The views are this
package's components: the map is the project's own control map on real
coordinates, not Mesa's space drawer (which would lay the road graph out as
a spring network).
"""

from __future__ import annotations

import solara
import solara.lab
from mesa.visualization import SolaraViz

from ..errors import InputError
from .breakable import ErrorAlert
from .breaks import CSS as BREAKS_CSS
from .config import AppConfig
from .ensemble_view import (
    COMPARE_TABLES,
    DATED_LABELS,
    LONG_TABLE,
    TWO_LABELS,
    WORDED_LABELS,
    CompareView,
    EnsembleView,
)
from .export_view import ExportView
from .figures import FIGURE_CSS
from .guard import Guarded
from .live import SidebarSettings, WhatIfModel
from .panels import SettingsSidebar
from .run_view import RunView
from .settings import Settings
from .theme import SHEET, THEME_CSS, use_dark_colours

# Jupyter's stylesheet, which Solara's Markdown uses, centres every table: one narrower than the page (the towns the
# runs get wrong, under the full-width outcomes) stood in the middle, away from its heading. They start at the left.
# A table wider than the page (the outcomes, on a phone) scrolls sideways in its own box: the page cut it off.
# The Ensemble's outcomes, 175 rows of sentences, made its tab 13,500 px long at 1280 px and 19,700 at 360 (each row four
# or five lines high in a phone's column): what came after them (the towns the runs get wrong, the downloads) was a
# long scroll away. A long table (LONG_TABLE) scrolls in a box of its own, as tall as most of the window, its header
# row kept in view (on the colour of the tab round it, SHEET, which the rows scroll under).
# On a phone the comparison's tables (headline scores, key quantities) were squeezed to their longest words: a label or
# the verdict a word a line, a row 100 px high beside one line of numbers, and scrolled sideways to the interval and the
# verdict, which row was which was out of view. Their numbers keep to one line, a label column of words (and the
# verdict, the last column of words) keeps a reading width, and the labels stay in view (on their row's background)
# while the rest scrolls. Its sections, each a Markdown of its own (a table of towns keeps its narrow label column), are
# spaced as the paragraphs and tables of one text.
# With ten replicates the towns' intervals take a tenth ('−100.0 to −13.9'): at 360 px their table was 29 px wider than
# the page, its intervals cut at the edge. On a phone the comparison's cells are padded half as much (Jupyter's 6.5 px a
# side), which keeps it on the page and narrows what scrolls in the wider tables.
# The Ensemble's headline scores (TWO_LABELS) keep two label columns in view: on a phone the first takes a set width, at
# which the second is held.
# A label kept in view takes its row's background, which the dark theme's hover colour (a row a phone's tap leaves
# hovered) makes translucent: the cells scrolled under it showed through ('governm27 Feb 2020'). There it is that
# colour laid over the tab's sheet, opaque; the light theme's is opaque already, and unchanged. A header cell kept in
# view is the sheet's colour (SHEET): Jupyter's page colour, which it was, is darker than the sheet in the dark theme.
HOVERED = "linear-gradient(var(--jp-rendermime-table-row-hover-background), var(--jp-rendermime-table-row-hover-background))"
PHONE_PAGE, PHONE_CELL_PADDING, FIRST_LABEL = 600, 3, "7em"  # pixels, and the first label column's width
TABLE_CSS = f""".v-application .jp-RenderedHTMLCommon table {{ margin-left: 0; margin-right: 0;
  display: block; width: fit-content; max-width: 100%; overflow-x: auto; }}
.v-application .{LONG_TABLE} table {{ max-height: max(70vh, 320px); overflow-y: auto; }}
.v-application .{LONG_TABLE} thead th {{ position: sticky; top: 0; z-index: 1; background: var({SHEET}); }}
.v-application .{COMPARE_TABLES} td:not([style*="text-align: left"]) {{ white-space: nowrap; }}
.v-application .{COMPARE_TABLES} :is(td, th):first-child {{ position: sticky; left: 0; z-index: 1; background: inherit; }}
.v-application .{COMPARE_TABLES} th:first-child {{ background: var({SHEET}); }}
.v-application .{COMPARE_TABLES} tbody tr:hover > td:first-child,
.v-application .{TWO_LABELS} tbody tr:hover > td:nth-child(2) {{ background: {HOVERED}, var({SHEET}); }}
.v-application .{WORDED_LABELS} td:first-child {{ min-width: 9em; }}
.v-application .{WORDED_LABELS}.{DATED_LABELS} td:first-child {{ min-width: 13em; }}
.v-application .{COMPARE_TABLES} td:last-child:not(:first-child)[style*="text-align: left"] {{ min-width: 11em; }}
@media (max-width: {PHONE_PAGE}px) {{ .v-application .{COMPARE_TABLES} :is(td, th) {{ padding-left: {PHONE_CELL_PADDING}px;
  padding-right: {PHONE_CELL_PADDING}px; }}
  .v-application .{TWO_LABELS} :is(td, th):first-child {{ box-sizing: border-box; width: {FIRST_LABEL}; min-width: {FIRST_LABEL}; }}
  .v-application .{TWO_LABELS} :is(td, th):nth-child(2) {{ position: sticky; left: {FIRST_LABEL}; z-index: 1; background: inherit;
    padding-right: 0.75em; }}
  .v-application .{TWO_LABELS} th:nth-child(2) {{ background: var({SHEET}); }} }}
.v-application .{COMPARE_TABLES} > * + * > .jp-RenderedHTMLCommon {{ padding-top: 0; }}
.v-application .{COMPARE_TABLES} > :not(:last-child) > .jp-RenderedHTMLCommon > :last-child {{ margin-bottom: 1em; }}"""

# On a phone the four tabs (560 px) did not fit their strip, which Vuetify scrolls under two arrows: a tapped tab slid to
# 40% of the strip, and 'What-if vs baseline' lost its last 43 px under the right arrow at 360 px, so which tab was open
# could not be read. There the tabs wrap onto two rows (two a row at 360 px, with Vuetify's padding halved), with no
# arrows and nothing to scroll; the open one is underlined in place of Vuetify's slider, which runs under one row only.
# The app bar's title, one line cut with an ellipsis ('Idlib ceasefire 2019-2020…'), takes two lines there.
PHONE_TABS, TAB_PADDING = "sim-tabs", 8  # pixels
PHONE_CSS = f"""@media (max-width: {PHONE_PAGE}px) {{
  .{PHONE_TABS} .v-tabs-bar {{ height: auto; }}
  .{PHONE_TABS} .v-slide-group__prev, .{PHONE_TABS} .v-slide-group__next, .{PHONE_TABS} .v-tabs-slider-wrapper {{ display: none !important; }}
  .{PHONE_TABS} .v-slide-group__content {{ flex: 1 1 100%; min-width: 0; flex-wrap: wrap; transform: none !important; }}
  .{PHONE_TABS} .v-tab {{ flex: 1 1 auto; height: 48px; padding: 0 {TAB_PADDING}px; }}
  .{PHONE_TABS} .v-tab--active {{ box-shadow: inset 0 -2px currentColor; }}
  .v-app-bar .v-toolbar__title {{ white-space: normal; font-size: 1.125rem; line-height: 1.2; }}
}}"""

# Solara's Warning, Info, Error and Success are Vuetify's text alerts: their words in the alert's own colour on a tint of
# it, which in the light theme reads faintly ('The sidebar has changed since this run was built', orange on pale orange:
# 2.1:1; blue, red and green 2.5 to 2.8). There the words take a darker shade of the same hue (4.6:1 to 5.6:1 on the
# tint), the border, tint and icon keeping the alert's colour; the dark theme's alerts read clearly (5.2:1 and above).
ALERT_TEXT = {"warning": "#9a4a00", "info": "#1565c0", "error": "#c62828", "success": "#2e7d32"}
ALERT_CSS = "\n".join(f".v-application.theme--light .v-alert.{kind}--text .v-alert__content {{ color: {ink}; }}"
                      for kind, ink in ALERT_TEXT.items())

# A download button wider than its line wraps its label: at 360 px 'Every difference (comparison CSV)', one line in
# Vuetify's button, ran 7 px off the page, its right end cut off.
DOWNLOADS_CSS = """.solara-file-download-container { max-width: 100%; }
.solara-file-download-container .v-btn { max-width: 100%; height: auto !important; min-height: 36px;
  padding-top: 6px !important; padding-bottom: 6px !important; }
.solara-file-download-container .v-btn__content { white-space: normal; flex: 1 1 auto; min-width: 0; line-height: 1.25; }"""

REPLICATES = 100  # the single run's replicate slider: seeds scenario seed + 0 .. + 99


def model_params(settings: solara.Reactive[Settings], config: AppConfig, replicate: solara.Reactive[int]) -> dict:
    """SolaraViz's model parameters: the replicate slider (shown by Mesa), and fixed ones its Reset passes on.

    The slider is bound to ``replicate``, so the One run tab can say it has moved since the run was built (Mesa keeps
    its own copy of the value, for Reset, and shows the slider's number only while it is dragged).
    """
    return {
        "replicate": {"type": "SliderInt", "value": replicate, "min": 0, "max": REPLICATES - 1, "step": 1,
                      "label": "Replicate (seed + i), at Reset"},
        "settings": SidebarSettings(lambda: settings.value),
        "controls": config.controls,
        "root": config.root,
        "whatif_dirs": config.whatif_dirs,
    }


@solara.component
def Page():
    """The page, saving where its own address says (:meth:`AppConfig.of_page`): a setting of this page, not the
    server's, so another tab saves into the folder its address names. An address naming a folder outside the save
    folder shows why, and no page that could save."""
    router = solara.use_router()
    config, refused = solara.use_memo(lambda: _config_of_page(router.search), [])
    if refused is not None:
        RefusedPage(config.controls.title, refused, router.root_path + router.path)
        return
    App(config)


def _config_of_page(search: str | None) -> tuple[AppConfig, str | None]:
    """(the page's configuration, None), or (the server's, why the page's address is refused)."""
    try:
        return AppConfig.of_page(search), None
    except InputError as exc:
        return AppConfig.from_env(), str(exc)


# Every page's styles: a refused address's page too, whose alert's path breaks between its parts (BREAKS_CSS) as the
# other pages' paths do (it was the sidebar's, which that page has not).
PAGE_CSS = FIGURE_CSS + TABLE_CSS + PHONE_CSS + ALERT_CSS + DOWNLOADS_CSS + THEME_CSS + BREAKS_CSS


def page_frame(title: str) -> None:
    """What every page of the app shares round its content: its title in the browser's tab, the dark theme's colours
    and the page's styles."""
    solara.Title(title)
    use_dark_colours()
    solara.Style(PAGE_CSS)


@solara.component
def RefusedPage(title: str, why: str, plain_address: str):
    """A page whose address is refused: why, and a link to the page at ``plain_address`` (without ``?folder=``), under
    the app bar every page has. Without it the page was the error alone, and a phone's user had no title, theme toggle
    or way back."""
    page_frame(title)
    # SolaraViz draws the other pages' app bar (its title and the theme toggle); this page runs no model to give it.
    with solara.AppBar():
        solara.AppBarTitle(title)
        solara.lab.ThemeToggle()
    ErrorAlert(why)
    solara.Button("Open the page without ?folder=", href=plain_address, color="primary", outlined=True,
                  style={"align-self": "flex-start"})


@solara.component
def App(config: AppConfig):
    settings = solara.use_reactive(Settings(config.default))
    replicate = solara.use_reactive(0)  # the Replicate slider's value (the run's is the model's, taken at Reset)
    params = solara.use_memo(lambda: model_params(settings, config, replicate), [])
    first = solara.use_memo(lambda: WhatIfModel(params["settings"], config.controls, root=config.root, whatif_dirs=config.whatif_dirs), [])
    model = solara.use_reactive(first)
    n = solara.use_reactive(40)
    date = solara.use_reactive(None)
    saves = solara.use_reactive(0)  # what-ifs saved from this page: the scenario picker lists them at once
    page_frame(config.controls.title)
    # Solara's AppBar and Sidebar draw their contents in the app bar and the sidebar, and leave in their place an empty
    # div meant to be hidden, which is not (its style reads 'display; none'): SolaraViz's two with its empty grid, and
    # the settings' sidebar, were boxes in the page's column, and the column's 12-px gaps between them made an empty band
    # 60 px high between the app bar and the tabs, at every width. Hidden here, they leave the tabs Solara's 12 px of
    # padding round the page, as on its other sides.
    with solara.Div(style={"display": "none"}):
        SolaraViz(model, components=[], model_params=params, name=config.controls.title, play_interval=50)
        SettingsSidebar(settings, config, saves)
    with solara.Div(classes=[PHONE_TABS]), solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("One run"):
            Guarded(RunView, model, settings.value, config, replicate)
        with solara.lab.Tab("Ensemble"):
            Guarded(EnsembleView, settings.value, config, n, date)
        with solara.lab.Tab("What-if vs baseline"):
            Guarded(CompareView, settings.value, date)
        with solara.lab.Tab("Save & export"):
            Guarded(ExportView, settings.value, config, saves)
