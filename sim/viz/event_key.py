"""The scenario's events on towns_held.png: dotted lines through both panels, numbered, and a key naming them.

Events a few days apart share a number; the key names each group, its labels
wrapped to :data:`EVENT_KEY_WRAP` characters so that a long name (a deal's, an
intervention's) stays on the figure, and the figure is made as tall as its key.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..names import date_words
from .style import FACTION_NAMES

# Scenario events worth a vertical marker: the decisions that shape the curves.
MARKED_EVENTS = ("offensive", "truce", "agreement", "intervention", "strike", "air_policy", "joint_patrol")
# The key's labels wrap at this many characters: two columns of them fit the 10-inch figure at 8 points.
EVENT_KEY_WRAP = 64
NBSP = "\u00a0"  # joins the words of a name, so the key wraps between names, not inside one


def wrap(text: str, width: int = EVENT_KEY_WRAP) -> str:
    """``text`` wrapped at ``width`` characters between words, never at a hyphen ("al-Numan", "west-aleppo") or
    inside a name joined by :data:`NBSP`."""
    return textwrap.fill(text, width, break_on_hyphens=False).replace(NBSP, " ")


def event_label(e: dict) -> str:
    """A scenario event in words, as the figures name things ("Government offensive starts", not "offensive start")."""
    kind = e["type"]
    if kind == "offensive":
        return offensive_label(e)
    if kind in ("truce", "agreement"):
        return f"{e.get('name', kind)} in force"
    if kind == "intervention":
        return f"Turkish intervention: {e.get('name', '')}".rstrip(": ")
    if kind == "strike":
        return f"{FACTION_NAMES.get(e.get('by', ''), e.get('by', ''))} strike at {e.get('town', '')}".strip()
    if kind == "air_policy":
        return f"Russian air effort held to {float(e.get('ceiling', 0)):.0%}"
    if kind == "joint_patrol":
        return f"Joint patrols on the {e.get('road', '')} begin"
    return str(e.get("name") or e.get("id") or kind)


def offensive_label(e: dict) -> str:
    """An offensive by where it goes: "Government offensive: south-east group toward Umm Jalal" (the first town of its
    axis, where the group drives first), "Government offensive stops: west-aleppo group", "HTS offensive toward Abu Jarif".

    The group is named unless it is the default one (``main``) or the offensive is HTS's or the rebels' (they have none).
    """
    faction = e.get("faction", "regime")
    who = FACTION_NAMES.get(faction, "Government")
    group = e.get("group") if faction == "regime" and e.get("group") not in (None, "main") else None
    axis = e.get("axis") or []
    if e.get("action") != "start":
        return f"{who} offensive stops" + (f": {group} group" if group else "")
    if not group and not axis:
        return f"{who} offensive starts"
    # Names are kept whole when the key wraps (see :func:`wrap`): no-break spaces inside them.
    where = " ".join(([f"{group} group"] if group else []) + ([f"toward {axis[0].replace(' ', NBSP)}"] if axis else []))
    return f"{who} offensive: {where}" if group else f"{who} offensive {where}"


def event_groups(events: list[dict], start: dt.date, end: dt.date, gap_days: float) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scenario's marked events in the window, as (first date, [(date, label), ...]), events closer than ``gap_days`` merged.

    A deal is dated by when it comes into force (its ``effective`` date), as the model and the run summary date it.
    """
    marks: dict[str, list[str]] = {}
    for e in events:
        if e["type"] not in MARKED_EVENTS:
            continue
        when = e.get("effective") or e["date"]  # a deal matters from when it binds
        if start.isoformat() <= when <= end.isoformat():
            marks.setdefault(when, []).append(event_label(e))
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for when in sorted(marks):
        items = [(when, label) for label in marks[when]]
        if groups and (dt.date.fromisoformat(when) - dt.date.fromisoformat(groups[-1][0])).days < gap_days:
            groups[-1][1].extend(items)
        else:
            groups.append((when, items))
    return groups


def group_text(items: list[tuple[str, str]]) -> str:
    """A group of events in words, each after its own date: "05 Mar: Government offensive starts; 06 Mar: ... in force".

    Each event keeps its date, not the group's first (a deal signed the day before it binds must not read as in
    force a day early); an event on several days of the group is named once, after its first and last ("19–20 Dec").
    """
    days: dict[str, list[dt.date]] = {}
    for when, label in items:
        days.setdefault(label, []).append(dt.date.fromisoformat(when))
    parts: list[tuple[str, list[str]]] = []
    for label, dates in days.items():
        first, last = min(dates), max(dates)
        a, b = date_words(first, "%b", year=False), date_words(last, "%b", year=False)
        span = a if first == last else f"{first.day}–{b}" if first.month == last.month else f"{a}–{b}"
        if parts and parts[-1][0] == span:
            parts[-1][1].append(label)
        else:
            parts.append((span, [label]))
    return "; ".join(f"{span}: {'; '.join(labels)}" for span, labels in parts)


def event_markers(top: Axes, ax: Axes, key: Axes, events: list[dict], start: dt.date, end: dt.date, columns: int = 2) -> int:
    """Dotted lines at the scenario's events through both panels, numbered above them, the numbers explained in ``key``
    (in ``columns``, each label wrapped to a column's width).

    Numbers, not names, sit on the plot, so no label runs over the lines; events a
    few days apart share a number. Returns the number of groups.
    """
    width_px = ax.get_window_extent(ax.figure.canvas.get_renderer()).width
    groups = event_groups(events, start, end, gap_days=16 / (width_px / max((end - start).days, 1)))
    # Narrower than the 10-inch figure's columns (a phone's, in one), a column's labels wrap sooner: 8 points a character.
    column = key.get_window_extent().width / key.figure.dpi / columns - 0.4  # inches, less the number beside it
    wrap_at = min(EVENT_KEY_WRAP, int(column * 72 / 4.6))
    handles = []
    for k, (when, items) in enumerate(groups, start=1):
        x = np.datetime64(when)
        for a in (top, ax):
            a.axvline(x, color="#6A6A6A", lw=0.8, ls=":", zorder=1, gid="event")
        top.annotate(str(k), (x, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2), textcoords="offset points",
                     ha="center", va="bottom", fontsize=8, weight="bold", color="#303030", gid="event_number")
        handles.append(Line2D([], [], ls="", marker=f"${k}$", ms=7 if k < 10 else 10, color="#303030", label=wrap(group_text(items), wrap_at)))
    key.axis("off")
    if handles:
        key.legend(handles=handles, loc="upper left", ncols=columns, fontsize=8, frameon=False, handletextpad=0.6,
                   columnspacing=2.0, title="Scenario events", title_fontsize=8, alignment="left")
    return len(groups)


def fit_key(ax: Axes, key: Axes) -> None:
    """Make the figure as tall as ``key``'s legend needs (it may be taller or shorter than first guessed), the panels
    above it keeping their size: so a wrapped key runs into neither the plot above nor the legend below."""
    fig, legend = key.figure, key.get_legend()
    if legend:  # the key's room is the axes this sizes: the layout also reserved the overflow below them, left blank
        legend.set_in_layout(False)
    need = (legend.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi if legend else 0.0) + 0.1
    height = fig.get_figheight()
    have = key.get_position().height * height
    grid = key.get_subplotspec().get_gridspec()
    ratios = list(grid.get_height_ratios())
    per_ratio = ax.get_position().height * height / ratios[1]  # inches per unit of height ratio, as laid out
    grid.set_height_ratios([*ratios[:-1], max(ratios[-1] + (need - have) / per_ratio, 0.05)])
    fig.set_figheight(height + need - have)
