"""The "Save & export" tab: the sidebar's settings as a what-if file that ``extends`` the scenario.

Saving writes the file into the app's what-if folder and checks that it
loads to the very scenario the page runs, so that ``python -m sim run`` on it
gives the page's results; the page prints the command. The same text can be
downloaded instead.
"""

from __future__ import annotations

from pathlib import Path

import reacton.ipyvuetify as rv
import solara

from ..analysis.summary import ENSEMBLE_RUNS
from ..errors import InputError
from ..names import replicates
from . import ensemble_view  # its task read where the page renders (the tests put one that runs inline in its place)
from .breakable import Breakable, ErrorAlert
from .breaks import LONG_WORDS, exactly
from .config import AppConfig
from .panels import unusable
from .settings import Settings, base_scenario
from .whatif import clash, default_name, file_name, other_runs, renaming, rerun_command, save_whatif, whatif_text

# The first sentence's save folder, code that is one path, breaks between its parts (exactly, in HTML's code), as the
# tab's other paths do. The code blocks (the rerun commands, the YAML) keep the lines of the command and of the file: a
# line longer than its box scrolls sideways in it, and the box keeps the page's width. Broken at the box's edge (overflow-wrap:
# anywhere), a path was cut anywhere, mid-name ('for_the:smile' / ':_seminar'), and read as two words; wrapped at spaces
# only, the browser still broke a path, and a date, after each '-' ('/tmp/pytest-' / 'of-root', '2026-' / '12-07'), and a
# YAML line wrapped under the next key looked like one of less indentation.
CODE = "sim-code"
# The block is in an element of its own that Vue does not compile (Code): there it takes the margin under it that
# Jupyter's stylesheet gives the last of a Markdown's blocks, as it did without one (0.5em, not its own 15 px).
VERBATIM = "sim-verbatim"
CODE_CSS = (f".{CODE} .highlight {{ overflow-x: auto; }}\n.{CODE} pre, .{CODE} pre code {{ white-space: pre; }}\n"
            f".{CODE} .{VERBATIM} > .highlight:last-child {{ margin-bottom: 0.5em; }}")


def page_ran(settings: Settings) -> int | None:
    """The replicates of the Ensemble tab's last ensemble where it ran these very settings, else None: a rerun with
    that many gives the numbers the page shows."""
    task = ensemble_view.ensemble_task
    ens = task.value if task.finished else None
    return ens.runs if ens is not None and ens.settings == settings else None


def save(settings: Settings, config: AppConfig, name: str, typed: str, ran: int | None) -> tuple[Path | None, str | None]:
    """(the file written, None), or (None, why not)."""
    try:
        return save_whatif(settings, config.controls, config.save_dir, name, config.root, title=typed, ran=ran), None
    except InputError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot write into {config.save_dir}: {exc.strerror or exc}"


def draft(settings: Settings, config: AppConfig, name: str, typed: str, ran: int | None) -> tuple[str | None, str | None]:
    """(the YAML the file would hold, None), or (None, why it cannot be saved)."""
    if not name:
        return None, (f"'{typed}' has no letters or digits a file name can use (a–z, A–Z, 0–9): type a name such as "
                      "no_spring_shield.")
    try:
        return whatif_text(settings, config.controls, config.save_dir / f"{name}.yaml", name, config.root, typed, ran), None
    except InputError as exc:
        return None, f"Cannot be saved: {exc}"


def unloadable(settings: Settings, config: AppConfig) -> str | None:
    """Why the picked scenario file does not load now (in the sidebar's words), or None."""
    try:
        base_scenario(settings.scenario, config.root)
    except InputError as exc:
        return unusable(settings.scenario, exc, config)
    return None


@solara.component
def NameField(name: solara.Reactive[str], hint: str):
    """The what-if's name, as typed, with ``hint`` under it (the file it is saved as) shown as :func:`Breakable`
    shows it. As Vuetify's plain message the path broke at the page's edge, inside a name ('what_ifs_of_the_dece' /
    'mber_2026'), on a phone."""
    # The slot stays, empty with no hint: dropped and put back, it showed the hint it had before it was dropped.
    shown = [{"name": "message", "children": [Breakable(hint)]}]
    return rv.TextField(label="Name of the what-if", v_model=name.value, on_v_model=lambda typed: name.set(typed or ""),
                        messages=[hint] if hint else [], hide_details="auto", v_slots=shown)


@solara.component
def ExportView(settings: Settings, config: AppConfig, saves: solara.Reactive[int] | None = None):
    name = solara.use_reactive("")
    # (file written, why not, the (settings, name typed) it was for, the replicates the page had run of them)
    outcome = solara.use_reactive((None, None, None, None))
    typed = name.value.strip()
    # The picked file may have been edited into an error or deleted since it was picked: default_name (and the draft,
    # the rerun command) read it. Said in place, as the sidebar says it; every hook below still runs either way.
    broken = unloadable(settings, config)
    proposed = file_name(typed) if typed else "" if broken else default_name(settings, config.root)
    solara.Markdown(
        "### Save the settings as a what-if\n"
        f"A YAML file in <code>{exactly(config.save_dir)}</code> that `extends` {exactly(settings.scenario)} with what the "
        "sidebar changes: rerun it from the command line, cite it, or pick it in the scenario list.", style=LONG_WORDS)
    renamed = renaming(typed) if typed else ""
    # A save's outcome holds while the sidebar and the name are those it was for: with a toggle ticked since, the
    # page said 'Saved' above YAML (and a download) that the file on disk did not hold.
    written, failed, _, ran_then = outcome.value if outcome.value[2] == (settings, typed) else (None, None, None, None)
    target = config.save_dir / f"{proposed}.yaml"
    saved = written == target
    # Once saved, the replicates the file's header was written with: the preview (and a download) is the file on disk.
    ran = ran_then if saved else page_ran(settings)
    text, problem = (None, broken) if broken else draft(settings, config, proposed, typed, ran)
    # Said before Save, not after it (and no 'Rerun' of that file): a file there, or a name a listed scenario has.
    if not problem and not saved and (why := clash(target, config.root)):
        problem = f"{target}: {why}."
    # Not 'will be saved as' above a warning that it cannot be.
    said = "saved" if saved else "would be saved" if problem else "will be saved"
    if not settings.is_plain and not broken:  # (with nothing to save, it proposed the scenario's own name, campaign.yaml)
        NameField(name, f"{said} as {target}{renamed}" if proposed else "")
    download = solara.use_memo(lambda: (lambda: text), [text])  # the same data while the text is: a download in flight is kept
    if broken:  # before 'Nothing to save': a what-if file as it is, broken, has nothing to save either, but is to be fixed
        solara.Warning(children=[Breakable(f"{broken}. Fix the file, or pick another scenario.", LONG_WORDS)])
        return
    if settings.is_plain:
        solara.Info(children=[Breakable(f"Nothing to save: the sidebar is {settings.scenario} as it is, and the file "
                                        "would only copy it. Tick an event or move a slider first.")])
        return
    if problem:  # said in place, without a traceback: the name can be typed again
        solara.Warning(children=[Breakable(problem, LONG_WORDS)])
        return
    with solara.Row(style={"flex-wrap": "wrap"}):  # at 360 px the download beside Save ran off the page, cut off
        def on_save() -> None:
            outcome.set((*save(settings, config, proposed, typed, ran), (settings, typed), ran))
            if outcome.value[0] is not None and saves is not None:
                saves.set(saves.value + 1)  # the scenario picker reads its folders again

        if not saved:  # saved: a second click found its own file 'exists already' and hid the 'Saved'
            solara.Button("Save what-if", color="primary", on_click=on_save)
        solara.FileDownload(download, f"{proposed}.yaml", label="Download the YAML", mime_type="text/yaml")
    if failed:
        ErrorAlert(f"Not saved: {failed}")
    elif written is not None:
        # With the page's replicates where they are not the suggested 40: rerun with 40 alone, a what-if the page ran 5
        # times gave other numbers than those it showed.
        runs = other_runs(ran)
        # The path breaks between its parts (and copies whole): as one long word it ran out of the notice and off a
        # phone's page, taking the rest of the sentence with it.
        solara.Success(children=[Breakable(
            f"Saved {written}. It resolves to the scenario this page runs; rerun it with"
            + (f" the page's {replicates(runs)} (the numbers it shows), or with {ENSEMBLE_RUNS}:" if runs else ":"))])
        commands = [rerun_command(settings, written, config.root, runs)] if runs else []
        Code("```sh\n" + "\n".join([*commands, rerun_command(settings, written, config.root)]) + "\n```")
    Code(f"```yaml\n{text}```")


@solara.component
def Code(markdown: str):
    """A fenced code block, its lines as they are, scrolled sideways where longer than the page (:data:`CODE_CSS`).

    In an element Vue leaves as it is (``v-pre``): Vue compiles the Markdown's HTML as a template, and the YAML's first
    line, the name as typed, showed '{{ 6*7 }}' as 42 (so did a folder's name in a path), where a code block's text
    cannot be written as character references (:func:`~sim.app.breaks.exactly`): Markdown shows them as typed."""
    solara.Style(CODE_CSS)
    with solara.Div(classes=[CODE]):
        solara.Markdown(f'<div v-pre class="{VERBATIM}">\n\n{markdown}\n\n</div>')
