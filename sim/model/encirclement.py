"""Turkish posts found cut off or relieved as towns change hands, and the cover the intact ones give.

The model keeps the posts' state (``post_standing``, ``encircled``); the fighting of a day changes who holds the
towns around them, and this looks at the posts again once it is over. Combat's post fire and the regime's deterrence
read the cover it counts (``intact_cover``); Turkey reads a newly ``encircled`` array as news
(:meth:`sim.model.factions.Turkey.escalate`). A post set up or withdrawn is looked at by its event
(:class:`sim.model.events.ObservationPostEvent`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import towns

if TYPE_CHECKING:
    from .model import CeasefireModel


def encircle_posts(m: CeasefireModel) -> None:
    """Encircle posts cut off by the day's fighting (see :func:`sim.model.towns.posts_encircled`), and say so.

    With no town changed hands since the last look, nothing is: a post set up or withdrawn since was looked at then
    (sim.model.events), and no other post's encirclement depends on it. ``encircled`` is replaced, never changed in
    place (Turkey finds news by that: :meth:`sim.model.factions.Turkey.escalate`).
    """
    if m.encircled_at == m.changes:
        return
    m.encircled_at = m.changes
    now = towns.posts_encircled(m.theatre, m.controller, m.post_standing)
    moved = now != m.encircled
    if not moved.any():  # no post cut off or relieved: most changes of hands are far from any
        return
    for r, k in zip(*np.nonzero(now & moved), strict=True):
        post = m.theatre.posts[k]
        m.journal.append((int(r), m.day, "post_encircled", m.theatre.towns[post.towns[0]], "turkey;regime", f"{post.name} ({post.id}) encircled"))
    m.encircled = now
    survey_posts(m)


def survey_posts(m: CeasefireModel) -> None:
    """Count again, after posts were set up, withdrawn or cut off, how many intact posts overlook each town.

    ``intact_cover`` (replicates, towns), as floats: standing posts not
    encircled. Combat and the regime's choice of targets read it every
    day; it changes only here. And ``encircled_posts`` (replicates,), how
    many are encircled (a column of the timeseries): ``encircled`` is
    replaced only before a survey, never changed in place.
    """
    m.intact_cover = towns.posts_overlooking(m.theatre, m.post_standing & ~m.encircled)
    m.encircled_posts = m.encircled.sum(axis=1)
