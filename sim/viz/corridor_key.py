"""The security corridor's legend entry, and one entry for the corridors of maps set side by side.

Two maps of the same corridor can label it differently: along the joint-patrol route in one and not in the other (a
what-if without the patrols), or in force in another share of runs. A figure's legend lists each label once, so it
listed the corridor twice, with one swatch; :func:`one_corridor` makes them one entry that says where they differ.
"""

from __future__ import annotations

from matplotlib.patches import Patch

from .style import corridor_patch

ALONG = " along the joint-patrol route"
# With no patrol route the band is drawn where the road leaves the government's ground (where the model polices a
# corridor): its label says so, or it read as the whole road's.
OFF_GOVERNMENT = " off the government's ground"


class CorridorEntry(Patch):
    """The corridor's swatch, keeping the parts its label is made of, so that two maps' entries can be joined.

    Args:
        road: the corridor's road ('M4').
        along: whether the band follows the joint-patrol route (else the road where the government does not hold it).
        width_km: its width each side of the road (a single run's map says it).
        share: the share of runs in which the agreement is in force (an ensemble's map says it, not the width).
    """

    def __init__(self, road: str, along: bool, *, width_km: float | None = None, share: float | None = None) -> None:
        self.road, self.along, self.width_km, self.share = road, along, width_km, share
        super().__init__(**corridor_patch(), label=self.words())

    def value(self) -> str:
        """What its brackets say of this map: its share of runs ('100%') or its width ('3 km')."""
        return f"{self.share:.0%}" if self.share is not None else f"{self.width_km:g} km"

    def unit(self) -> str:
        return " of runs" if self.share is not None else " each side"

    def words(self, stretch: str | None = None, said: str | None = None) -> str:
        """Its label: the road and the stretch (by default, this map's), then in brackets the share or the width
        (``said``: what the brackets say instead); the share on a line of its own: on one line the legend took over
        half an animation frame, squeezing the map."""
        head = f"{self.road} security corridor{(ALONG if self.along else OFF_GOVERNMENT) if stretch is None else stretch}"
        said = said or self.value() + self.unit()
        return f"{head}\n(agreement in force in {said})" if self.share is not None else f"{head} ({said})"


def one_corridor(handles: list) -> list:
    """``handles`` (a figure's maps', left to right) with their corridor entries made one where their labels differ,
    saying in which map the stretch or the share (or width) is which ('100% of runs on the left, 75% on the right')."""
    entries = [h for h in handles if isinstance(h, CorridorEntry)]
    if len({e.get_label() for e in entries}) < 2:
        return handles
    sides = ("on the left", "on the right") if len(entries) == 2 else tuple(f"in map {k + 1}" for k in range(len(entries)))
    along = [side for side, e in zip(sides, entries, strict=True) if e.along]
    stretch = (OFF_GOVERNMENT if not along else ALONG if len(along) == len(entries)
               else f"{OFF_GOVERNMENT},{ALONG} in the map {_and(along)}")
    first = entries[0]
    said = None
    if len({e.value() for e in entries}) > 1:  # the unit once, after the first map's value
        said = _and([f"{e.value()}{first.unit() if e is first else ''} {side}" for e, side in zip(entries, sides, strict=True)])
    joined = CorridorEntry(first.road, bool(along), width_km=first.width_km, share=first.share)
    joined.set_label(joined.words(stretch, said))
    return [joined if h is first else h for h in handles if not isinstance(h, CorridorEntry) or h is first]


def _and(items: list[str]) -> str:
    """'a, b and c'; two as 'a, b' ('100% of runs on the left, 75% on the right')."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 2 else ", ".join(items)
