"""Control maps: who holds what on a day, drawn on the theatre's coordinates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

# A bare Figure renders with Agg on savefig: pyplot (its state machine and
# backend selection) would add a large share of a run's start-up for nothing.
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .theatre import HOLDERS

if TYPE_CHECKING:
    from .run import RunResult

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
FACTION_COLOURS = {"regime": "#D55E00", "hts": "#3A3A3A", "rebels": "#009E73", "turkey": "#0072B2", "russia": "#CC79A7"}
ROAD_STYLE = {"secondary": dict(color="#B8B8B8", lw=0.8, zorder=1)}
NAMED_ROAD_STYLE = dict(color="#5A4A2A", lw=2.4, zorder=2)
LABEL_POPULATION = 30_000


def draw_control_map(result: RunResult, path: str | Path, *, day: int = -1) -> Path:
    """Draw the control map of ``day`` (default: the last) to a PNG file."""
    t = result.theatre
    controller = result.history[day]
    date = result.scenario.start.fromordinal(result.scenario.start.toordinal() + (day % len(result.history)))
    final = result.final
    lat0 = float(np.deg2rad(t.lat.mean()))

    fig = Figure(figsize=(9.5, 8.5), dpi=110)
    ax = fig.subplots()
    ax.set_facecolor("#F7F5EF")
    ax.set_aspect(1.0 / np.cos(lat0))
    pad = 0.08
    ax.set_xlim(t.lon.min() - pad, t.lon.max() + pad)
    ax.set_ylim(t.lat.min() - pad, t.lat.max() + pad)

    if len(t.border):
        ax.plot(t.border[:, 1], t.border[:, 0], color="#7A7A7A", lw=1.2, ls=(0, (6, 3)), zorder=1)
        inside = t.border[(t.border[:, 1] > ax.get_xlim()[0]) & (t.border[:, 1] < ax.get_xlim()[1]) & (t.border[:, 0] < ax.get_ylim()[1])]
        if len(inside):
            lat, lon = inside[np.argmax(inside[:, 0] - inside[:, 1])]  # the north-western corner of the border in view
            ax.text(lon, lat, "TURKEY ", fontsize=9, color="#7A7A7A", ha="right", va="top", clip_on=True, zorder=1)

    if final.get("corridor") is not None:
        inside = final["corridor"]
        ax.scatter(t.lon[inside], t.lat[inside], s=420, color="#F0E442", alpha=0.45, lw=0, zorder=2)

    named_roads = [r for r in t.roads if r != "secondary"]
    for road in t.roads:
        on = t.edge_road == road
        style = ROAD_STYLE.get(road, NAMED_ROAD_STYLE)
        # One collection per road class: a line artist per road segment made
        # drawing the roads most of the map's cost on a large theatre.
        segments = np.stack([np.column_stack([t.lon[t.edge_u[on]], t.lat[t.edge_u[on]]]),
                             np.column_stack([t.lon[t.edge_v[on]], t.lat[t.edge_v[on]]])], axis=1)
        ax.add_collection(LineCollection(segments, colors=style["color"], linewidths=style["lw"], zorder=style["zorder"],
                                         capstyle="round"), autolim=False)
        if road in named_roads:
            mid = np.flatnonzero(on)[len(np.flatnonzero(on)) // 3]
            x, y = (t.lon[t.edge_u[mid]] + t.lon[t.edge_v[mid]]) / 2, (t.lat[t.edge_u[mid]] + t.lat[t.edge_v[mid]]) / 2
            ax.text(x, y, road, fontsize=8, weight="bold", color="white", ha="center", va="center", zorder=6,
                    bbox=dict(boxstyle="round,pad=0.2", fc=NAMED_ROAD_STYLE["color"], ec="none"))

    for patrol in final.get("patrols", [])[-1:]:
        ax.annotate(f"last patrol reached {patrol['reached']} ({patrol['coverage']:.0%})",
                    xy=(t.lon[t.town(patrol["reached"])], t.lat[t.town(patrol["reached"])]),
                    xytext=(0, -28), textcoords="offset points", fontsize=8, ha="center", color=FACTION_COLOURS["russia"],
                    arrowprops=dict(arrowstyle="->", color=FACTION_COLOURS["russia"]), zorder=7)

    size = 18 + 10 * np.sqrt(t.population / 1000.0)
    for code, holder in enumerate(HOLDERS):
        held = controller == code
        ax.scatter(t.lon[held], t.lat[held], s=size[held], color=FACTION_COLOURS[holder], edgecolor="white", lw=0.8, zorder=4)

    posts = final.get("posts", np.zeros(t.n))
    encircled = final.get("encircled", np.zeros(t.n, bool))
    has = posts > 0
    ax.scatter(t.lon[has & ~encircled] + 0.025, t.lat[has & ~encircled] + 0.018, marker="^", s=55,
               color=FACTION_COLOURS["turkey"], edgecolor="white", lw=0.6, zorder=5)
    ax.scatter(t.lon[has & encircled] + 0.025, t.lat[has & encircled] + 0.018, marker="^", s=55,
               facecolor="white", edgecolor=FACTION_COLOURS["turkey"], lw=1.4, zorder=5)
    mp = final.get("military_police", np.zeros(t.n, bool))
    ax.scatter(t.lon[mp] - 0.025, t.lat[mp] + 0.018, marker="s", s=30, color=FACTION_COLOURS["russia"], zorder=5)

    road_ends = set()
    for road in named_roads:
        on = t.edge_road == road
        ends, counts = np.unique(np.r_[t.edge_u[on], t.edge_v[on]], return_counts=True)
        road_ends |= set(ends[counts == 1].tolist())
    on_two = sum(t.road_towns(r).astype(int) for r in named_roads) >= 2 if named_roads else np.zeros(t.n, bool)
    label = (t.population >= LABEL_POPULATION) | on_two
    label[list(road_ends)] = True
    for i in np.flatnonzero(label):
        ax.annotate(t.towns[i], (t.lon[i], t.lat[i]), xytext=(6, 5), textcoords="offset points", fontsize=8.5, zorder=8,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75))

    handles = [Line2D([], [], marker="o", ls="", color=FACTION_COLOURS[h], markersize=8, label={"regime": "Government", "hts": "HTS", "rebels": "Turkish-backed rebels"}[h]) for h in HOLDERS]
    if (has & ~encircled).any():
        handles.append(Line2D([], [], marker="^", ls="", color=FACTION_COLOURS["turkey"], markersize=8, label="Turkish post"))
    if (has & encircled).any():
        handles.append(Line2D([], [], marker="^", ls="", markerfacecolor="white", markeredgecolor=FACTION_COLOURS["turkey"], markersize=8, label="Turkish post, encircled"))
    if mp.any():
        handles.append(Line2D([], [], marker="s", ls="", color=FACTION_COLOURS["russia"], markersize=6, label="Russian military police"))
    handles += [
        Line2D([], [], **NAMED_ROAD_STYLE, label="Highway"),
        Line2D([], [], **ROAD_STYLE["secondary"], label="Secondary road"),
        Line2D([], [], color="#7A7A7A", ls=(0, (6, 3)), label="Syria-Turkey border"),
    ]
    if final.get("corridor") is not None:
        handles.append(Line2D([], [], marker="o", ls="", color="#F0E442", alpha=0.6, markersize=12, label=f"Towns in the {final['corridor_road']} security corridor"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)

    _scale_bar(ax, lat0, km=20)
    ax.set_title(f"{result.scenario.name}: control on {date.isoformat()} (seed {result.seed})", fontsize=12)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, metadata={"Software": None})
    return path


def _scale_bar(ax, lat0: float, km: float) -> None:  # noqa: ANN001 - matplotlib axes
    deg = km / (111.195 * np.cos(lat0))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - (x1 - x0) * 0.05 - deg, y0 + (y1 - y0) * 0.04
    ax.plot([x, x + deg], [y, y], color="black", lw=3, solid_capstyle="butt", zorder=8)
    ax.text(x + deg / 2, y + (y1 - y0) * 0.012, f"{km:g} km", ha="center", fontsize=8, zorder=8)
