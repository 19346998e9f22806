"""moscow.yaml's displaced at the start follow the campaign model: its two shares are what campaign.yaml leaves on its
last day, 5 March (docs/model_changes.md, round 71), so a change to the rules that moves those shares must move these.
"""

from pathlib import Path

import numpy as np

import sim
from sim import CeasefireModel
from sim.api import replicate_seeds
from sim.model import civilians

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_moscow_starts_with_the_shares_away_the_campaign_ends_with():
    campaign, moscow = (sim.load_scenario(SCENARIOS / name) for name in ("campaign.yaml", "moscow.yaml"))
    m = CeasefireModel(campaign, seeds=replicate_seeds(campaign, 40))  # the 40 runs the shares were measured on
    m.run_model()
    assert m.date == moscow.start  # the campaign ends on the day the Moscow runs start from
    medians = {name: float(np.median(share)) for name, share in civilians.shares_away(m, m.initial_controller).items()}
    start = moscow.displaced_at_start
    assert start.since == campaign.initial_control  # the towns taken since the campaign's start front
    assert abs(start.taken - medians["taken"]) <= 0.1 and abs(start.near_front - medians["near_front"]) <= 0.1, medians
