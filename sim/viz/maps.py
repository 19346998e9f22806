"""Maps of results folders: what ``python -m sim map`` draws (one folder, or a baseline and a what-if)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..analysis.aggregate import common_days
from ..analysis.comparison import last_shared_day
from ..analysis.results import Results, load_results
from ..errors import InputError, flag
from ..io.outputs import claim_file, writing_into
from ..io.safe_yaml import date_problem
from ..names import HOLDERS, date_words
from .corridor_key import one_corridor
from .drawing import draw_control, draw_probability, scale_bar
from .figures import (
    add_legend,
    ensemble_figure,
    freeze_layout,
    map_panels,
    run_map,
    side_by_side_figure,
)
from .geometry import layout
from .labels import finish_labels, main_towns
from .map_state import ensemble_state, majority, reported_state, run_state
from .style import FORMATS, save_figure, who_holds


def last_day(results: Results) -> dt.date:
    """The last day every replicate simulated."""
    return results.start + dt.timedelta(days=common_days(results.runs) - 1)


def resolve_date(results: Results, date: str | dt.date | None) -> tuple[dt.date, dt.date | None]:
    """The simulated date to draw for ``--date``, and the reported control column to set beside it.

    A date from the start to the last simulated day is drawn as it is, beside
    the theatre's control column of that date if it has one. The day after the
    last simulated day is accepted when the theatre reports that day: the last
    simulated day is then compared with it (a run to 5 March against the front
    reported on 6 March).

    Raises:
        InputError: an unreadable date, or one outside the run.
    """
    last = last_day(results)
    if date is None:
        return last, None
    date = as_date(date)
    reported = date if date in results.theatre.control else None
    if results.start <= date <= last:
        return date, reported
    if date == last + dt.timedelta(days=1) and reported is not None:
        return last, reported
    known = ", ".join(str(d) for d in sorted(results.theatre.control))
    raise InputError(None, f"{date} is outside the run ({results.start} .. {last}) in {results.path}; the day after the "
                     f"last is accepted only where the theatre reports control ({known})", key=flag("date"))


def as_date(date: str | dt.date) -> dt.date:
    """``--date`` as a day.

    Raises:
        InputError: it is not a date, nor YYYY-MM-DD.
    """
    if isinstance(date, str):  # as --date reads it: fromisoformat took 20200108 and called 2020-02-30 "not a date"
        if problem := date_problem(date):
            raise InputError(None, problem, key=flag("date"))
        return dt.date.fromisoformat(date.strip())
    if isinstance(date, dt.datetime):  # its day: a datetime is never equal to a date, nor ordered with one
        return date.date()
    if not isinstance(date, dt.date):  # date=5 was a TypeError from comparing it with the run's days
        raise InputError(None, f"{date!r} is not a date (expected YYYY-MM-DD)", key=flag("date"))
    return date


def scenario_events(results: Results) -> list[dict]:
    """The resolved scenario's events, as the manifest records them."""
    return results.manifest["parameters"]["events"]


def what(results: Results) -> str:
    """"campaign, 20 runs" or "campaign, seed 3": what a folder holds, for titles (an ensemble of one run, as a run)."""
    if len(results.runs) > 1:
        return f"{results.name}, {len(results.runs)} runs"
    return f"{results.name}, seed {results.runs[0].seed}"


def map_figure(results: Results, date: str | dt.date | None = None, *, faction: str = "regime") -> Figure:
    """The map of one results folder on ``date`` (default: its last day).

    A single run gives its control map, set beside the reported control when
    the theatre has a column for the date; an ensemble gives the probability
    that ``faction`` holds each area and the spread of the front line (and the
    reported control, likewise).
    """
    day, reported = resolve_date(results, date)
    t = results.theatre
    changed = changed_hands(results, day)
    if results.is_ensemble:
        es = ensemble_state(t, scenario_events(results), results.runs, day)
        title = f"{what(results)}: {_when(day, reported)}"
        return ensemble_figure(t, es, faction, title, reported=None if reported is None else (t.control[reported], reported),
                               changed=changed)
    run = results.runs[0]
    if reported is None:  # the map `run` wrote into the folder
        return run_map(t, scenario_events(results), run, results.name, day=run.day(day))
    panels = [(run_state(t, scenario_events(results), run, day), f"Simulated, {date_words(day, '%b')}" + (" (last day of the run)" if day != reported else "")),
              (reported_state(t, reported), f"Reported, {date_words(reported, '%b')}")]
    return side_by_side_figure(t, panels, f"{what(results)}: simulated vs reported control", compare_to=0, changed=changed)


def changed_hands(results: Results, day: dt.date) -> np.ndarray:
    """Towns held on ``day`` by another side than at the start, in most replicates (:func:`majority`)."""
    moved = [r.changed_hands(day) for r in results.runs]
    return majority(np.mean(moved, axis=0))


def _when(day: dt.date, reported: dt.date | None) -> str:
    if reported is None or reported == day:
        return f"{date_words(day)}"
    return f"{date_words(day)} (last simulated day), reported {date_words(reported)}"


def compare_day(a: Results, b: Results, date: str | dt.date | None) -> dt.date:
    """The day a map of ``a`` and ``b`` draws for ``--date``: the last both simulated by default.

    Raises:
        InputError: they share no simulated day (as ``compare`` decides it), or ``date`` is outside either.
    """
    try:
        last = last_shared_day(a, b)
    except ValueError as exc:
        raise InputError(b.path, f"{exc}; map each on its own, or set beside a baseline a what-if of the same period") from None
    return last if date is None else min(resolve_date(a, date)[0], resolve_date(b, date)[0])


def compare_figure(a: Results, b: Results, date: str | dt.date | None = None, *, faction: str = "regime") -> Figure:
    """Two results folders side by side on one date: a baseline and a what-if.

    Single runs are drawn as control maps with the towns that differ from the
    baseline ringed; ensembles as the probability that ``faction`` holds each area.

    Raises:
        InputError: one is an ensemble and the other a single run (the same colour would mean a share of runs in
            one panel and "held" in the other), or they share no simulated day (as ``compare`` decides it).
    """
    if a.is_ensemble != b.is_ensemble:
        ens, one = (a, b) if a.is_ensemble else (b, a)
        raise InputError(b.path, f"{ens.path.name} is an ensemble of {len(ens.runs)} runs and {one.path.name} a single run: "
                         "a map shades one by the share of runs holding each town and colours the other by who holds it, "
                         "in the same colours; map each on its own, or run the single run's scenario as an ensemble too "
                         f"(python -m sim run SCENARIO --runs {len(ens.runs)}) and map the two ensembles")
    day = compare_day(a, b, date)
    if a.is_ensemble or b.is_ensemble:
        lay = layout(a.theatre)
        fig, axes = map_panels(2, height=7.0)
        handles: list = []
        patrols: list = []
        coll = None
        for ax, res in zip(axes, (a, b), strict=True):
            if res.is_ensemble:
                es = ensemble_state(res.theatre, scenario_events(res), res.runs, day)
                coll, h = draw_probability(ax, lay, es, faction, title=what(res))
                handles += h
                patrols += es.state.patrols
            else:
                state = run_state(res.theatre, scenario_events(res), res.runs[0], day)
                handles += draw_control(ax, lay, state, title=what(res))
                patrols += state.patrols
        if coll is not None:
            fig.colorbar(coll, ax=list(axes), orientation="horizontal", fraction=0.04, pad=0.02, shrink=0.5,
                         label=f"share of runs in which {who_holds(faction)} the town")
        fig.suptitle(f"Baseline vs what-if on {date_words(day)}", fontsize=12)
        add_legend(fig, one_corridor(handles), where="below")
        freeze_layout(fig)
        notable = changed_hands(a, day) | changed_hands(b, day)
        for ax in axes:
            finish_labels(ax, lay, main_towns(a.theatre), fontsize=7.5, notable=notable, patrols=patrols)
            scale_bar(ax, lay)
        return fig
    panels = [(run_state(r.theatre, scenario_events(r), r.runs[0], day), what(r)) for r in (a, b)]
    return side_by_side_figure(a.theatre, panels, f"Baseline vs what-if on {date_words(day)}", compare_to=0,
                               changed=changed_hands(a, day))


def make_map(paths: list[str | Path] | str | Path, *, date: str | dt.date | None = None, out: str | Path | None = None,
             faction: str = "regime", notify: Callable[[str], None] | None = None) -> Path:
    """Draw the map of one results folder, or of a baseline and a what-if, to a PNG file.

    Args:
        paths: one results folder (its path, or a list of it), or two (baseline, what-if).
        date: a date or YYYY-MM-DD (default: the last simulated day).
        out: a .png, .svg or .pdf file (default: ``map_<date>.png`` in the folder, or of two ``map_<date>_vs_<A>.png``
            in the what-if's, B; an ensemble map of another faction than the government's adds ``_<faction>``).
            An existing file is replaced only if the simulator wrote it.
        faction: whose probability of control ensemble maps shade.
        notify: told in a sentence when a baseline and a what-if are drawn on another day than ``date`` (the last day
            both simulate, for the day after it).

    Returns:
        The file written.

    Raises:
        InputError: not one folder or two, a folder that is not a results folder, an unreadable date or one outside
            the run, an unknown faction, or something at ``out`` the simulator did not write.
    """
    # One folder: a string was read a character at a time ("/: not a results..."), and Results (run_ensemble's) is
    # told to give its path, as every reader tells it.
    if isinstance(paths, str | os.PathLike | Results):
        paths = [paths]
    if not isinstance(paths, list | tuple) or not 1 <= len(paths) <= 2:  # else a TypeError from compare_figure
        got = len(paths) if isinstance(paths, list | tuple) else f"a {type(paths).__name__}"
        raise InputError(None, f"needs one results folder, or two (baseline, what-if); got {got}", key="paths")
    if faction not in HOLDERS:
        raise InputError(None, f"unknown faction '{faction}' (one of {', '.join(HOLDERS)})", key=flag("faction"))
    if out is not None:
        claim_file(Path(out), formats=FORMATS)  # before the work, and again once it is done
    results = [require_posts(load_results(p)) for p in paths]
    shading(faction, results)
    if len(results) == 2 and results[0].theatre.towns != results[1].theatre.towns:
        raise InputError(results[1].path, "the two results are on different theatres")
    shade = f"_{faction}" if faction != "regime" and any(r.is_ensemble for r in results) else ""
    if len(results) == 1:
        fig = map_figure(results[0], date, faction=faction)
        day = resolve_date(results[0], date)[0] if date is None else date
        default = results[0].path / f"map_{day}{shade}.png"
    else:
        fig = compare_figure(*results, date, faction=faction)
        # By the day drawn: a date after the last both simulated draws that last day.
        day = compare_day(*results, date)
        default = results[1].path / f"map_{day}_vs_{results[0].path.name}{shade}.png"
        if date is not None and day != as_date(date) and notify is not None:
            # Only the date in the title and the file's name said it: no reported front stands beside it, as on one
            # folder's map of the day after its end.
            notify(f"--date {as_date(date)} is after {day}, the last day both {results[0].path.name} and "
                   f"{results[1].path.name} simulate: the map is of {day}")
    path = claim_file(Path(out), formats=FORMATS) if out else claim_file(default)
    with writing_into(path.parent):
        return save_figure(fig, path)


def shading(faction: str, results: list[Results]) -> None:
    """Refuse another faction's shading where no ensemble is drawn: a run's map shows who holds each town, so the flag
    was ignored without a word."""
    if faction != "regime" and not any(r.is_ensemble for r in results):
        raise InputError(faction, "only an ensemble's map shades a faction's probability of control; a single run's map "
                                  f"shows who holds each town (leave {flag('faction')} out)", key=flag("faction"))


def require_posts(results: Results) -> Results:
    """``results``, if its runs recorded their posts (a map needs them)."""
    if any(run.post_history is None for run in results.runs):
        raise InputError(results.path, "written before runs recorded their posts (no posts.csv); run it again to map it")
    return results
