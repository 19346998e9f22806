"""What becomes of the opposition's assaults on towns the government holds, and when HTS first strikes in January.

    .venv/bin/python scripts/opposition_assaults.py                 # 40 campaign runs, seeds 2000 to 2039
    .venv/bin/python scripts/opposition_assaults.py --seeds 1000 --runs 96

Round 58 asked why no run meets HTS's January retakings (R58-D in docs/model_changes.md). This counts, over single
runs of a scenario, every assault HTS or the rebels make on a government-held town: how many take it, and how many
meet a garrison of less than half a strength point; and, for the campaign, who holds Abu Jarif on 16 January, whether
the January truce is still in force that day, and the day of HTS's first assault of the year. It reads the model
between its own steps and around ``combat.resolve``, which it wraps for the run; it changes no rule.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt

import sim
from sim.model import combat, model as model_module
from sim.names import HolderCode

REGIME, HTS = HolderCode.REGIME, HolderCode.HTS


def count(scenario: sim.Scenario, seeds: range) -> dict:
    """Run ``scenario`` once per seed and count what the module's docstring says: a dict of the counts, and
    ``first_hts``, the date of HTS's first assault in each run (None: none)."""
    tally, first_hts = collections.Counter(), []
    resolve = combat.resolve

    def counted(m: model_module.CeasefireModel) -> None:
        struck = (m.attack_force > 0) & (m.attack_side != REGIME) & (m.controller == REGIME)
        garrison = m.garrison[struck]  # before the day's combat
        if first_hts[-1] is None and (m.attack_side[struck] == HTS).any():
            first_hts[-1] = m.date
        resolve(m)
        tally["assaults"] += int(struck.sum())
        tally["taken"] += int((m.controller[struck] != REGIME).sum())
        tally["garrison_under_half"] += int((garrison < 0.5).sum())

    combat.resolve = counted  # the model calls it through the module, so the wrapper sees every day's combat
    try:
        for seed in seeds:
            m = model_module.CeasefireModel(scenario.model_copy(update={"seed": seed}))
            first_hts.append(None)
            while m.running and m.date < dt.date(2020, 1, 16):
                m.step()
            tally["holds_abu_jarif_16_jan"] += int(m.controller[0, m.theatre.town("Abu Jarif")] == REGIME)
            tally["deal_in_force_16_jan"] += int(m.deal is not None and bool(m.deal.in_force[0]))
            while m.running:
                m.step()
    finally:
        combat.resolve = resolve
    return {**tally, "first_hts": first_hts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/campaign.yaml")
    ap.add_argument("--seeds", type=int, default=2000, help="the first seed")
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    counts = count(sim.load_scenario(args.scenario), range(args.seeds, args.seeds + args.runs))
    first_hts = counts["first_hts"]
    print(f"{args.runs} runs of {args.scenario}, seeds {args.seeds} to {args.seeds + args.runs - 1}")
    print(f"opposition assaults on government-held towns: {counts['assaults']}, of which {counts['taken']} took the "
          f"town and {counts['garrison_under_half']} met a garrison under half a strength point")
    print(f"on 16 January 2020: the government holds Abu Jarif in {counts['holds_abu_jarif_16_jan']}, "
          f"a deal is in force in {counts['deal_in_force_16_jan']}")
    days = collections.Counter(d.isoformat() if d else "never" for d in first_hts)
    print("HTS's first assault:", ", ".join(f"{d}: {n}" for d, n in sorted(days.items())))
    print("  by 22 January:", sum(1 for d in first_hts if d and d <= dt.date(2020, 1, 22)),
          "| not by 30 January:", sum(1 for d in first_hts if not d or d > dt.date(2020, 1, 30)))


if __name__ == "__main__":
    main()
