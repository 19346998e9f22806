"""An animated map of daily control (``python -m sim map --animate``), with the day's events as captions."""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import animation

from ..analysis.aggregate import control_counts
from ..analysis.results import load_results
from ..errors import InputError, check_switch
from ..io.files import atomic_file
from ..io.outputs import claim_file, writing_into
from ..io.signatures import SIGNATURE
from ..names import HOLDERS, date_words, is_whole
from .drawing import (
    DYNAMIC_GIDS,
    control_handles,
    draw_control,
    draw_control_layers,
    draw_probability,
    draw_probability_layers,
    probability_handles,
    scale_bar,
    shown_posts,
)
from .figures import add_legend, freeze_layout, map_panels
from .geometry import layout
from .labels import finish_labels, main_towns, place_labels_again, with_route_ends
from .map_state import EnsembleState, MapState, ensemble_state, majority, run_state
from .maps import last_day, require_posts, scenario_events, shading, what
from .style import FACTION_NAMES, palette_image, who_holds

if TYPE_CHECKING:
    from ..analysis.results import Results
    from ..analysis.rundata import RunData

DPI = 100  # frames of FRAME inches at this resolution: 1050 x 720 pixels, text as readable as on the maps
FRAME = (10.5, 7.2)

# One line per event worth reading on a frame, by event type: (town, detail, actors) -> the line. Factions are
# named as every other output names them ("HTS → Government"), not by the codes the events file stores.
CAPTIONS = {
    "capture": lambda town, detail, actors: f"{town} taken: {named(detail).replace('->', '→')}",
    "post_establish": lambda town, detail, actors: f"Turkish post set up at {town}",
    "post_withdraw": lambda town, detail, actors: f"Turkish post withdrawn from {town}",
    "post_encircled": lambda town, detail, actors: encircled_caption(town, detail),
    "patrol": lambda town, detail, actors: f"Joint patrol {detail}",
    "patrol_completed": lambda town, detail, actors: f"Joint patrol {detail}",  # "covered the whole 82 km, to Ain al-Havr"
    "strike": lambda town, detail, actors: f"{named(actors or 'regime')} strike at {town}, {named(detail)}",
    "military_police": lambda town, detail, actors: f"Russian military police enter {town}",
    "offensive_start": lambda town, detail, actors: f"{named(actors or 'regime')} offensive starts",
    "offensive_stop": lambda town, detail, actors: f"{named(actors or 'regime')} offensive stops",
    "offensive_culminated": lambda town, detail, actors: f"{named(actors or 'regime')} push culminates ({detail.split(':')[0]})",
    "intervention": lambda town, detail, actors: f"Turkish intervention: {detail}",
    "intervention_end": lambda town, detail, actors: f"Intervention ends: {detail}",
    "air_policy": lambda town, detail, actors: f"Russia: {detail}",
}
# Events that come on the scenario's days, their detail how far they got: an ensemble's frame shows one on a day most
# runs' got as far, never "by then" (most runs had once had a patrol stop at Kafr Shalaya, on one day or another).
SCHEDULED = {"patrol", "patrol_completed"}
CODES = re.compile(r"\b(" + "|".join(FACTION_NAMES) + r")\b")
# The model logs an encirclement as "<name> (<id>) encircled" (outcomes match on the id); the last parenthesis is the id.
SHARE = re.compile(r"\d+(\.\d+)?%")  # a share in a legend entry, which changes from frame to frame
ENCIRCLED = re.compile(r"^(?P<name>.+) \((?P<id>[^()]+)\) encircled$")


def named(text: str) -> str:
    """``text`` with each faction code ("hts -> regime") in its display name ("HTS -> Government")."""
    return CODES.sub(lambda m: FACTION_NAMES[m.group(1)], str(text))


def encircled_caption(town: str, detail: str) -> str:
    """An encircled post by its name in the theatre's post table, not its id, and by the town it overlooks first
    unless the name says it ("Turkish post encircled: Post north of Saraqib, by Sheikh Mansour")."""
    found = ENCIRCLED.match(str(detail))
    name = found["name"] if found else str(detail).removesuffix(" encircled")
    return f"Turkish post encircled: {name}" + (f", by {town}" if town and town not in name else "")


def caption(kind: str, town: str, detail: str, actors: str = "") -> str | None:
    """One line for an event worth reading on an animation frame (None for the daily noise).

    Args:
        kind: the event's type (``events.csv``'s ``type``).
        town: the town it happened at ("" for none).
        detail: the event's ``detail``; faction codes in it are given their display names.
        actors: the event's ``actors``: the faction of an offensive or a strike (without it, the government).
    """
    if kind in CAPTIONS:
        return CAPTIONS[kind](town, detail, actors)
    if kind.endswith("_announced"):
        return f"{detail.split(',')[0]} announced"
    if kind.endswith("_in_force"):
        return f"{detail} in force"
    if kind.endswith("_expired"):
        return f"{detail} expired"
    if kind.endswith("_broken"):
        return named(detail)  # "<name>: Government resumes its offensive"
    return None


def frame_captions(log: pd.DataFrame, since: str, until: str, most: int = 5) -> list[str]:
    """The captions of a frame: each event of ``log`` worth reading (:func:`caption`) from ``since`` to ``until``
    (ISO dates, both included), with its date ("27 Jan: Saraqib taken: ...": a frame of a long run spans several
    days, and the title gives the year): the last ``most``, those nearest the day the frame's map shows, after how many
    earlier ones are left out (the first five hid the frame's own day's change of hands, which its map showed).
    An ensemble's log (:func:`ensemble_log`) says in how many runs each event is, where it is not all of them."""
    shown = log[(log["date"] >= since) & (log["date"] <= until)]
    runs = shown["runs"] if "runs" in shown else [""] * len(shown)
    rows = zip(shown[["date", "type", "town", "detail", "actors"]].itertuples(index=False), runs, strict=True)
    lines = [f"{date_words(dt.date.fromisoformat(day), '%b', year=False)}: {line}" + (f" ({of})" if of else "")
             for (day, *event), of in rows if (line := caption(*event))]
    return ([f"… {len(lines) - most} earlier, not shown"] if len(lines) > most else []) + lines[-most:]


def ensemble_log(runs: list[RunData], towns: list[str], follow: np.ndarray) -> pd.DataFrame:
    """An ensemble's events as one log to caption its frames with (:func:`frame_captions`): what most runs (more than
    half: the maps' :func:`~sim.viz.map_state.majority`) have, with in how many (``runs``: "in 11/20 runs"; "" where it
    is every run). What fewer than half have is left out.

    An event logged on the same day in most runs is that day's: the scenario's own events (an offensive, a truce, a
    strike), alike in every run, read as in a single run's log, and a weekly patrol that got as far in most runs. Any
    other event most runs have at some time (a truce broken, a post encircled, each on its own day in each run) is
    shown on the day most have had it, "in 11/20 runs by then"; but not a patrol (:data:`SCHEDULED`). A change of
    hands is read from the runs' control, not their captures: a town is "taken" on the day another side than the one
    that held it in most runs before holds it in most runs, the change the shading of the frames shows (while no side
    holds it in most runs, it is not yet taken from the last side that did). Only the towns ``follow`` marks are
    followed: the main towns, which every frame names (those that changed hands in a day of the campaign's drives
    filled the captions, and hid that day's posts set up, with villages a reader cannot find on the map).

    Args:
        runs: the replicates.
        towns: the theatre's towns' names.
        follow: (towns,) whether to caption each town's changes of hands.
    """
    n, most, rows = len(runs), len(runs) // 2 + 1, []

    def share(count: int, then: str = "") -> str:
        return "" if count == n else f"in {count}/{n} runs{then}"

    # Where each run logs each event: the k-th alike row of a day (its place in that run's log, to keep a day's order),
    # and the first day of each event (its type, town, actors and detail) in the run.
    on_day: dict[tuple, list[int]] = {}
    first: dict[tuple, list[tuple[str, int]]] = {}
    for run in runs:
        seen: Counter[tuple] = Counter()
        had: set[tuple] = set()
        events = run.events[run.events["type"] != "capture"][["date", "type", "town", "actors", "detail"]]
        for place, row in enumerate(events.astype(str).itertuples(index=False, name=None)):
            seen[row] += 1
            on_day.setdefault((*row, seen[row]), []).append(place)
            if row[1:] not in had:
                had.add(row[1:])
                first.setdefault(row[1:], []).append((row[0], place))
    shown = set()
    for (day, *event, _), places in on_day.items():
        if len(places) >= most:
            # min(): an event a run logs before another, it logs before it in every run (the scenario's, in one order).
            rows.append((day, 0, min(places), *event, share(len(places))))
            shown.add(tuple(event))
    for event, times in first.items():
        if event not in shown and event[0] not in SCHEDULED and len(times) >= most:
            day, place = sorted(times)[most - 1]  # the day the event has come in most runs
            rows.append((day, 0, place, *event, share(sum(d <= day for d, _ in times), " by then")))
    counts = control_counts(runs)  # [day, town, holder]
    holder = np.where(majority(counts.max(axis=-1) / n), counts.argmax(axis=-1), -1)  # -1: no side in most runs
    for i in np.flatnonzero(follow):
        town = towns[i]
        days = np.flatnonzero(holder[:, i] >= 0)
        sides = holder[days, i]
        for k in np.flatnonzero(sides[1:] != sides[:-1]) + 1:
            old, new, day = HOLDERS[sides[k - 1]], HOLDERS[sides[k]], int(days[k])
            rows.append((runs[0].date(day).isoformat(), 1, i, "capture", town, f"{new};{old}", f"{old} -> {new}",
                         share(int(counts[day, i, sides[k]]))))
    # A day's events in the order a run logged them, and then its changes of hands: where the day's fighting left the towns.
    log = pd.DataFrame(sorted(rows, key=lambda r: r[:3]),
                       columns=["date", "then", "place", "type", "town", "actors", "detail", "runs"])
    return log.drop(columns=["then", "place"])


def animate(path: str | Path, *, out: str | Path | None = None, faction: str = "regime", max_frames: int = 60,
            fps: float = 4.0, progress: bool = False) -> list[Path]:
    """Write an animated GIF of daily control (an ensemble: of P(faction holds)), and an MP4 where ffmpeg exists.

    Each frame shows one day (or a few, for long runs: at most ``max_frames``
    frames), with its date and the events since the previous frame captioned.
    ``progress`` draws a bar of the frames on stderr (the command line asks for it on a terminal: 60 frames take a minute).

    Returns:
        The files written.

    Raises:
        InputError: ``max_frames`` not a whole number of at least 1, ``fps`` not a number above 0 and at most 50 (GIF
            frame delays are in hundredths of a second, and browsers slow shorter ones), or as :func:`make_map`.
    """
    check_switch(progress, "progress")
    # Checked before any work: fps=0 was a ZeroDivisionError and fps=nan numpy's ValueError, once every frame was drawn.
    if not is_whole(max_frames) or max_frames < 1:
        raise InputError(None, f"must be a whole number of at least 1 (got {max_frames!r})", key="max_frames")
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not 0 < fps <= 50:
        raise InputError(None, f"frames per second, a number above 0 and at most 50 (got {fps!r})", key="fps")
    if out is not None:
        claim_file(Path(out), formats=(".gif",))
    results = require_posts(load_results(path))
    shading(faction, [results])
    t, lay = results.theatre, layout(results.theatre)
    frames = frame_days((last_day(results) - results.start).days + 1, max_frames)
    ensemble = results.is_ensemble
    run = results.runs[0]
    events = scenario_events(results)

    def state(day: int) -> EnsembleState | MapState:
        date = results.start + dt.timedelta(days=day)
        if ensemble:
            return ensemble_state(t, events, results.runs, date)
        return run_state(t, events, run, date)

    def legend_of(s: EnsembleState | MapState) -> list:
        """The legend of a frame of ``s``: only what that frame draws."""
        intact, encircled = (bool(m.any()) for m in shown_posts(s.state if ensemble else s))
        if ensemble:
            return probability_handles(lay, s, intact=intact, encircled=encircled)
        handles = control_handles(lay, s, intact=intact, encircled=encircled)
        for h in handles:  # the legend's column is as wide on every frame: say what the star means, not where it is
            if h.get_label().startswith("Last patrol ("):
                h.set_label("Where the last patrol stopped")
        return handles

    states = [state(day) for day in frames]
    fig, (ax,) = map_panels(1, width=FRAME[0], height=FRAME[1])
    if ensemble:
        coll, _ = draw_probability(ax, lay, states[-1], faction)
        # Below the map, where it covers neither the map nor the legend beside it.
        fig.colorbar(coll, ax=ax, orientation="horizontal", fraction=0.04, pad=0.03, shrink=0.7, aspect=35,
                     label=f"share of runs in which {who_holds(faction)} the town")
    else:
        draw_control(ax, lay, states[-1])
    # A real title before the layout is fixed, so there is room for the dates that replace it.
    title = ax.set_title(frame_title(results, results.start + dt.timedelta(days=frames[-1]), faction), fontsize=12)
    # The layout leaves room for the legend of every frame at once; each frame then draws its own in that room.
    add_legend(fig, widest_entries([legend_of(s) for s in states]), fontsize=8.5)
    freeze_layout(fig)
    main = main_towns(t)
    # The road names are placed once, clear of every frame's route ends; the towns' names on each frame, around its own
    # markers, with its own patrols' stops: placed once for all frames, every town any patrol stopped at was a name each
    # frame had to show (before the first patrol, too), and such names were stacked on one another.
    finish_labels(ax, lay, with_route_ends(main, [p for s in states for p in (s.state if ensemble else s).patrols]), fontsize=8)
    scale_bar(ax, lay)
    box = fig.legends[0].get_window_extent().transformed(fig.transFigure.inverted())
    # Captions go in the legend's column, under the room it may take, where they hide nothing.
    note = fig.text(box.x0 + 0.01, box.y0 - 0.04, "", fontsize=9, va="top", ha="left", color="#202020", wrap=True)
    log = ensemble_log(results.runs, t.towns, main) if ensemble else run.events

    def draw(k: int) -> None:
        day = frames[k]
        for artist in [*ax.collections, *ax.patches, *ax.lines]:
            if artist.get_gid() in DYNAMIC_GIDS:
                artist.remove()
        s = states[k]
        if ensemble:
            draw_probability_layers(ax, lay, s, faction)
        else:
            draw_control_layers(ax, lay, s)
        for old in fig.legends:
            old.remove()
        add_legend(fig, legend_of(s), fontsize=8.5, corner=(box.x0, box.y1))
        place_labels_again(ax, lay, main, fontsize=8, patrols=(s.state if ensemble else s).patrols)
        date = results.start + dt.timedelta(days=day)
        title.set_text(frame_title(results, date, faction))
        since = (results.start + dt.timedelta(days=frames[k - 1] + 1)).isoformat() if k else date.isoformat()
        note.set_text("\n".join(frame_captions(log, since, date.isoformat())))

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), interval=1000 / fps, repeat=False)
    shade = f"_{faction}" if ensemble and faction != "regime" else ""
    out = claim_file(Path(out), formats=(".gif",)) if out else claim_file(results.path / f"control{shade}.gif")
    mp4 = out.with_suffix(".mp4")
    with writing_into(out.parent):
        # Judged before the GIF is written: the new GIF's signature vouches for any MP4 of its name.
        film = animation.writers.is_available("ffmpeg") and _may_write(mp4)
        written = [save_animation(anim, out, SignedGifWriter(fps=fps), progress=progress)]
        if film:
            written.append(save_animation(anim, mp4, animation.FFMpegWriter(fps=fps), progress=progress))
    return written


def frame_title(results: Results, date: dt.date, faction: str) -> str:
    """A frame's title: what the folder holds and the day, and for an ensemble what the shading is, as the ensemble map
    titles it ("Probability that the government holds each area"): the title alone read as a map of control, and
    only the colour bar under the map said whose share of runs the shades were."""
    when = f"{what(results)}: {date_words(date)}"
    return f"Probability that {who_holds(faction)} each area\n{when}" if results.is_ensemble else when


def frame_days(days: int, max_frames: int) -> list[int]:
    """The days (from 0) an animation of ``days`` days shows: every day, or for a longer run ``max_frames`` days
    spread evenly over it, the first and the last among them (the last was one frame more than ``max_frames``)."""
    n = min(days, max_frames)
    if n <= 1:
        return [days - 1]
    return [(k * (days - 1) + (n - 1) // 2) // (n - 1) for k in range(n)]


def widest_entries(legends: list[list]) -> list:
    """One legend with each entry that any of ``legends`` has, as long as it is anywhere: the room every one fits in.

    Entries are the same entry when their labels agree but for shares ("... corridor (agreement in force in 40% of
    runs)" is one entry, whatever the share)."""
    widest: dict[str, object] = {}
    for handles in legends:
        for h in handles:
            key = SHARE.sub("%", h.get_label())
            if key not in widest or len(h.get_label()) > len(widest[key].get_label()):
                widest[key] = h
    return list(widest.values())


def _may_write(path: Path) -> bool:
    try:
        claim_file(path, formats=(".mp4",))
    except InputError:
        return False  # the GIF is what was asked for; a file of someone else's beside it is left alone
    return True


class SignedGifWriter(animation.PillowWriter):
    """Matplotlib's GIF writer, with the simulator's signature as the GIF's comment (so it may be replaced later),
    and each frame in 256 colours as a PNG is (:func:`palette_image`): Pillow's own cut lost the military police's
    pink on most frames."""

    def finish(self) -> None:
        frames = [palette_image(frame.convert("RGB")) for frame in self._frames]
        frames[0].save(self.outfile, save_all=True, append_images=frames[1:], duration=int(1000 / self.fps),
                       loop=0, comment=SIGNATURE.encode())


def save_animation(anim: animation.Animation, path: Path, writer: animation.AbstractMovieWriter, *, progress: bool = False) -> Path:
    """Save ``anim`` atomically (the writer picks the format by the temporary file's suffix, which is ``path``'s), with
    a bar of the frames drawn on stderr if ``progress``: a minute without a word read as a hang."""
    from tqdm import tqdm  # imported here: only the command line draws progress bars

    with atomic_file(path) as tmp, tqdm(unit="frame", desc=path.name, disable=not progress, leave=False) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done + 1 - bar.n)

        anim.save(tmp, writer=writer, dpi=DPI, progress_callback=advance)
        bar.refresh()  # the last frame's count: tqdm draws an update only a tenth of a second after the one before
    return path
