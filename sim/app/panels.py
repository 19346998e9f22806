"""The sidebar: the scenario picker, the event toggles and the parameter sliders.

Every slider's range is the schema's (:func:`sim.app.settings.sliders_for`),
so no combination the page can make is refused by the model; a slider whose
event the scenario does not have is not shown, and a toggle whose events it
does not have is greyed out. The sidebar edits a :class:`~sim.app.settings.Settings`;
Mesa's Reset builds the run from it, and "Run ensemble" and "Save" use it as it is.
"""

from __future__ import annotations

from pathlib import Path

import reacton.ipyvuetify as rv
import solara

from ..errors import InputError, shown_path
from ..names import date_words
from .breakable import Breakable, ErrorAlert
from .breaks import breakable, exactly
from .config import AppConfig
from .file_changes import file_changes, toggles_done_by
from .guard import Guarded
from .settings import (
    Settings,
    Slider,
    as_toggled,
    base_scenario,
    baseline_of,
    changes,
    overrides,
    sliders_for,
    snap,
    toggle_available,
)


# The sidebar keeps its width whatever it holds: a long label ('The January truce kept (not in jan_truce_holds_calibrated.yaml)')
# or path wraps instead of widening it over the page's first letters. Mesa's 400 px, but never closer than 56 px to the
# window's right edge: on a phone it opens over the page (under 960 px), and at 360 px it covered all of it, the ☰ button
# too, leaving nowhere to tap to close it. The strip left beside it closes it.
SIDEBAR_WIDTH = "min(400px, 100vw - 56px)"
# Narrower than 400 px, Mesa's sliders (the label and the bar on one line) left the bar a few pixels, or none, and its
# row of buttons (Reset, play, Step) ran past the edge: a bar shorter than this goes to a line of its own, under its
# label (whose box grows with its lines: it was one line high, the second over the bar), and the buttons wrap. A card's
# title breaks between words (Vuetify's breaks anywhere: 'sett-ings'). At 400 px nothing wraps that did not, and nothing
# moves.
SLIDER_BAR = 64  # pixels
# Under 400 px (the sidebar under 344) Reset, play and Step, 242 px with Vuetify's padding and Mesa's 12-px gaps, took two
# lines: there they have less padding and gap (190 px), and fit one line down to a 320-px page. At 400 px and wider
# they are left as Mesa draws them.
NARROW_PAGE = 399.98  # pixels: the widest page on which the sidebar's buttons are tightened
BUTTON_PADDING, BUTTON_MIN, BUTTON_GAP = 10, 44, 8  # pixels
# The picker's open list: Vuetify keeps each item on one line, cut with an ellipsis, and at 360 px two what-ifs read
# alike ('scenarios/whatif/jan_truce_holds.…', 'scenarios/whatif/jan_truce_holds_…'): its items wrap instead, at the
# breaks of :func:`sim.app.breaks.breakable`. The list is laid over the page, outside the sidebar: it has a class of its
# own.
PICKER_LIST = "sim-picker-list"
HELP = {"font-size": "0.75em", "display": "block", "line-height": "1.25"}  # a line under a control
# Its grey is the theme's: the light theme's #616161 stayed in the dark one, faint on the dark card (contrast 2.7:1);
# there it is Vuetify's secondary text instead (white at 70%, 8:1).
HELP_LINE = "sim-help"
HELP_CSS = f""".{HELP_LINE} {{ color: #616161; }}
.v-application.theme--dark .{HELP_LINE} {{ color: rgba(255, 255, 255, 0.7); }}"""
SIDEBAR_CSS = f"""
.v-navigation-drawer {{ min-width: {SIDEBAR_WIDTH} !important; max-width: {SIDEBAR_WIDTH} !important; }}
.v-navigation-drawer .v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.v-navigation-drawer .v-input__slider .v-slider {{ min-width: {SLIDER_BAR}px; }}
.v-navigation-drawer .v-input__slider .v-label {{ height: auto; }}
.v-navigation-drawer .v-card__title {{ word-break: normal; }}
.v-navigation-drawer .d-flex:has(> .v-btn) {{ flex-wrap: wrap; row-gap: 8px; }}
@media (max-width: {NARROW_PAGE}px) {{
  .v-navigation-drawer .d-flex:has(> .v-btn) {{ column-gap: {BUTTON_GAP}px !important; }}
  .v-navigation-drawer .d-flex > .v-btn:not(.v-btn--round) {{ padding: 0 {BUTTON_PADDING}px; min-width: {BUTTON_MIN}px; }}
}}
.v-navigation-drawer .v-label, .v-navigation-drawer .v-select__selection {{ white-space: normal; }}
.v-navigation-drawer .v-label, .v-navigation-drawer li, .v-navigation-drawer p, .v-navigation-drawer span {{ overflow-wrap: break-word; }}
{HELP_CSS}
.{PICKER_LIST} .v-list-item__title {{ white-space: normal; line-height: 1.3; }}
"""


def pick_scenario(settings: solara.Reactive[Settings], config: AppConfig, path: str) -> str | None:
    """Switch to the scenario ``path`` (its own values, no toggles); the error, if it does not load."""
    try:
        base_scenario(path, config.root)
    except InputError as exc:
        return unusable(path, exc, config)
    settings.set(Settings(path))
    return None


def unusable(path: str, exc: InputError, config: AppConfig) -> str:
    """'x.yaml cannot be used: line 5, ...': why the scenario file ``path`` does not load, naming it once."""
    said, shown = str(exc), shown_path(exc.file) if exc.file else ""
    if shown and Path(exc.file).resolve() == (config.root / path).resolve() and said.startswith(shown):
        said = said[len(shown):].lstrip(",: ") or said  # not 'x.yaml cannot be used: x.yaml, line 5, ...'
    return f"{path} cannot be used: {said}"


def move(settings: solara.Reactive[Settings], slider: Slider, value: float) -> None:
    """A slider moved to ``value``: set it (snapped to the slider's grid), or drop it when back at the scenario's value.

    A move of less than half a step is the slider rounding a value that is not on its grid
    (a calibrated 0.421 on a 0.005 grid), not the user's: it is ignored.
    """
    current = settings.value.changed.get(slider.path, slider.value)
    if abs(value - current) < slider.step / 2:
        return
    new = snap(value, slider.step, slider.low, slider.high)
    settings.set(settings.value.with_value(slider.path, None if abs(new - slider.value) < slider.step / 2 else new))


@solara.component
def SettingsSidebar(settings: solara.Reactive[Settings], config: AppConfig, saves: solara.Reactive[int] | None = None):
    """The settings, in the sidebar below SolaraViz's own controls (``saves``: counts the what-ifs saved from the
    page, so that the picker lists a new one at once)."""
    solara.Style(SIDEBAR_CSS)
    with solara.Sidebar():
        Guarded(SettingsPanel, settings, config, saves)


@solara.component
def SettingsPanel(settings: solara.Reactive[Settings], config: AppConfig, saves: solara.Reactive[int] | None = None):
    error = solara.use_reactive(None)
    picks = solara.use_reactive(0)
    files = solara.use_memo(config.scenario_files, [saves.value if saves is not None else 0])  # read again after a save
    s = settings.value
    # The picked file may have been edited into an error or deleted since it was picked: then the sidebar says so and
    # keeps its picker. Every hook runs whether it loads or not (Solara refuses a render with fewer hooks than the last).
    try:
        base, broken = base_scenario(s.scenario, config.root), None
    except InputError as exc:
        base, broken = None, unusable(s.scenario, exc, config)
    # those the scenario as toggled can use: none of an event a toggle removes, nor one needing a type of event it removes
    sliders = solara.use_memo(lambda: sliders_for(config.controls, as_toggled(base, s, config.controls)) if base is not None
                              else [], [s.scenario, id(base), s.toggles])
    forced = overrides(Settings(s.scenario, (), s.toggles), config.controls, base) if base is not None else {}  # a toggle's values
    own = solara.use_memo(lambda: file_changes(s.scenario, config.controls, config.root)
                          if base is not None and baseline_of(Settings(s.scenario), config.root, config.whatif_dirs) else None,
                          [s.scenario, id(base)])
    done = toggles_done_by(config.controls, own)  # toggles whose change the picked what-if file makes itself

    with solara.Card("Scenario and what-if settings"):
        def pick(path: str) -> None:
            error.set(pick_scenario(settings, config, path))
            picks.set(picks.value + 1)  # a new picker: a refused pick does not stay shown

        listed = files if s.scenario in files else [s.scenario, *files]
        # the picked path is shown by the page (copied, it is the path), the list's by Vuetify (plain text)
        shown = Breakable(s.scenario, tag="div", classes=["v-select__selection", "v-select__selection--comma"])
        rv.Select(label="Scenario", items=[{"text": breakable(f), "value": f} for f in listed], v_model=s.scenario,
                  on_v_model=pick, menu_props={"contentClass": PICKER_LIST},
                  v_slots=[{"name": "selection", "children": [shown]}]).key(f"scenario-{picks.value}")
        # Their path breaks between its parts, as the tabs' alerts' do: as one word (absolute, for a what-if of a save
        # folder outside the project) it ran out of the alert, past its border, and off a phone's page.
        if error.value:
            ErrorAlert(error.value)
        if broken:
            ErrorAlert(f"{broken}. Fix the file, or pick another scenario.")
            return
        solara.Markdown(f"*{exactly(base.description.strip() or base.name)}* ({date_words(base.start)} to {date_words(base.end)})",
                        style={"font-size": "0.85em"})
        if own is not None and own.lines:
            solara.Markdown(f"This what-if file changes from {exactly(f'{own.parent}:')}\n\n"
                            + "\n".join(f"- {exactly(line)}" for line in own.lines), style={"font-size": "0.85em"})
        solara.Markdown("**Events**")
        for t in config.controls.toggles:
            ok = toggle_available(t, base)
            if t.id in done:
                solara.Checkbox(label=f"{t.label} (this file's own change)", value=True, disabled=True)
            else:
                # the file the picker shows, not the scenario's internal name (campaign, whatif_...); by its name alone,
                # as its folders broke the label mid-word ('scenarios/whatif/hts_accepts_moscow.y' / 'aml')
                label = t.label if ok else f"{t.label} (not in {Path(s.scenario).name})"
                rv.Checkbox(label=label, v_model=t.id in s.toggles, disabled=not ok,
                            v_slots=[{"name": "label", "children": [Breakable(label)]}],
                            on_v_model=lambda on, t=t: settings.set(settings.value.with_toggle(t.id, bool(on))))
            if t.help:
                Breakable(t.help, style=HELP, classes=[HELP_LINE])  # which may name a file
        for group in config.controls.sliders:
            mine = [x for x in sliders if x.group == group]
            if not mine:
                continue
            with solara.Details(group, expand=False):
                for x in mine:
                    value = forced.get(x.path, s.changed.get(x.path, x.value))
                    moved = x.path in s.changed or x.path in forced
                    solara.Text(f"{x.label} = {value:g}" + (" *" if moved else ""), style={"font-size": "0.85em", "display": "block"})
                    # the path, as sweeps and what-if files spell it, then what it sets in what unit (the schema's)
                    solara.Text(f"{x.path}" + (f" — {x.help}" if x.help else ""), style=HELP, classes=[HELP_LINE])
                    if x.note:  # the controls file's caveat: what the slider cannot do
                        solara.Text(x.note, style=HELP | {"font-style": "italic"}, classes=[HELP_LINE])
                    if x.path in forced:  # greyed out: say by what, and how to free it
                        by = [t.label for t in config.controls.toggles if t.id in s.toggles and x.path in dict(t.set)]
                        solara.Text(f"Set by the toggle '{by[-1]}' above: untick it to move this slider.", style=HELP, classes=[HELP_LINE])
                    if x.integer:
                        solara.SliderInt("", value=int(value), min=int(x.low), max=int(x.high), step=int(x.step),
                                         disabled=x.path in forced, on_value=lambda v, x=x: move(settings, x, v))
                    else:
                        solara.SliderFloat("", value=value, min=x.low, max=x.high, step=x.step, disabled=x.path in forced,
                                           on_value=lambda v, x=x: move(settings, x, v))
        lines = changes(s, config.controls, config.root)
        if lines:
            solara.Markdown("**Changed** (*):\n\n" + "\n".join(f"- {exactly(line)}" for line in lines), style={"font-size": "0.85em"})
            solara.Button("Back to the scenario's values", text=True, on_click=lambda: settings.set(Settings(s.scenario)))
        solara.Markdown("Ranges are the schema's. **Reset** (under Controls) runs one replicate with these settings; "
                        "the Ensemble tab runs many; Save & export writes them as a what-if file.", style={"font-size": "0.8em"})
