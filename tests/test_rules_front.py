"""The front and the posts on hand-built theatres, each answer worked out by hand.

These close gaps a mutation audit found: changes to ``sim.model.towns``
(the front's garrisons and length) and to the model's encirclement of posts
that no other test noticed.
"""

import numpy as np
import pytest

from sim import CeasefireModel
from sim.model import towns
from sim.model.encirclement import encircle_posts

from .conftest import line_theatre
from .test_rules import scenario

KM_PER_STEP = 4.979  # 0.055 degrees of longitude at latitude 35.5, on a sphere of 6,371 km


def test_opposition_towns_on_the_front_start_with_front_garrison_more(build):
    # G - A - B - C: A has the government next door, B and C do not. HTS holds each with garrison 1, and the front
    # (A) with front_garrison 2 more: 3, 1, 1. The government's own town on the front gets no more (5).
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    m = CeasefireModel(scenario(build, {"regime": {"garrison": 5}, "hts": {"garrison": 1, "front_garrison": 2}}))
    assert m.garrison[0].tolist() == [5.0, 3.0, 1.0, 1.0]


def test_the_front_is_the_roads_between_government_and_opposition_ground_either_way_round(build):
    # A - G - B - C, G2 beside G: the roads A-G (listed from the opposition's end) and G-B (from the government's)
    # are the front, about 5 km each; B-C (opposition on both ends) and G-G2 (government on both) are not.
    build.theatre([("A", 35.5, 35.945, "hts"), ("G", 35.5, 36.0, "regime"), ("B", 35.5, 36.055, "hts"),
                   ("C", 35.5, 36.11, "hts"), ("G2", 35.545, 36.0, "regime")],
                  [("A", "G", "M9"), ("G", "B", "M9"), ("B", "C", "M9"), ("G", "G2", "secondary")])
    m = CeasefireModel(scenario(build))
    assert towns.front_km(m.theatre, m.controller).tolist() == [pytest.approx(2 * KM_PER_STEP, abs=0.01)]


def post_line(build) -> CeasefireModel:
    """G - A - B - C (HTS from A on), a post p1 overlooking A alone."""
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"), posts=[("p1", "T1", "2019-01-01", 35.51, 36.055)])
    return CeasefireModel(scenario(build))


def take(m: CeasefireModel, name: str) -> None:
    m.capture(np.array([0]), np.array([m.theatre.town(name)]), np.array([0], np.int8), np.array([1.0]), np.array([-1]),
              cause="assault")


def test_a_post_cut_off_no_longer_covers_its_town(build):
    # p1 stands over T1: it covers it (1 post), and once Turkey escalates adds fire to its defence. The government
    # takes T1: p1 is encircled, and covers nothing (0): its fire and its deterrence are gone.
    m = post_line(build)
    t1 = m.theatre.town("T1")
    assert m.intact_cover[0, t1] == 1.0
    take(m, "T1")
    encircle_posts(m)
    assert m.encircled[0].tolist() == [True] and m.intact_cover[0, t1] == 0.0


def test_a_post_cut_off_is_news_once_not_every_time_a_town_changes_hands(build):
    # T1 taken: p1 encircled, one post_encircled event. T2 taken the next look: p1 is still cut off, which is no news.
    m = post_line(build)
    take(m, "T1")
    encircle_posts(m)
    take(m, "T2")
    encircle_posts(m)
    kinds = [row[2] for row in m.journal.table().tolist()]
    assert kinds.count("post_encircled") == 1
