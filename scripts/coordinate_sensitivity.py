"""How much the campaign's scores against the record depend on the theatre's approximate coordinates.

    .venv/bin/python scripts/coordinate_sensitivity.py --out /tmp/coords                  # K=5, sigma 3 km, 40 replicates
    .venv/bin/python scripts/coordinate_sensitivity.py --out /tmp/coords --theatres-only  # write the theatres, run nothing

For each of ``--k`` perturbed theatres, every ``approximate`` place of the towns table (never a ``verified`` one) is
moved by an independent offset, east and north each normal with standard deviation ``--sigma-km``; nothing else
changes (the roads' topology, the posts' sites and the places they overlook are the tables'), but road lengths not
given in the roads table, the strike and flight radii, the rear by the border and the patrol corridor follow the
coordinates. Each theatre is written whole to ``OUT/theatre_N/`` with a scenario that ``extends`` the recorded
``scenarios/campaign.yaml`` and sets ``theatre:`` (a path key, resolved against the file that sets it, and replaced by
the child's value: sim/io/extends.py), so the 40 replicates share the campaign's seeds. The unperturbed campaign runs on
the same seeds (``OUT/base_runs``); each ensemble is scored against the record, and each perturbed one is set beside
the base with ``sim compare``'s paired bootstrap, whose 90% interval is the seed-to-seed spread of the difference.

The default sigma, 3 km: nine places' coord_notes say how far a correction moved them (Hass 0.9 km, Kafr Hamra 1.3,
Wadi al-Deif base 1.7, Qaminas 3.2, Sufuhin 3.6, Kafr Oweid 4.5, Kansafra 4.6, Balyun 7.1, Babulin 8; median 3.6
km). For an offset normal in each axis with standard deviation s, the median distance moved is 1.18 s, so 3.6 km is
s = 3.06 km. The errors the notes give the approximate places now (+-1 to +-6 km for 120 of 124) have a median of 3 km.

All randomness is numpy's ``default_rng(--seed)``, drawn theatre by theatre. A draw the loader refuses (or that breaks
the scenario's checks) is reported and replaced by the generator's next draw. Posts whose sites no longer obey the
shipped theatre's rule (tests/test_theatre.py: the first place listed is the nearest of them and within 4 km, the
others within 3 km) are counted, not redrawn: the model never reads a post's site, only the places it overlooks.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's sim, whatever the editable install points at

from sim.analysis.comparison import compare  # noqa: E402
from sim.analysis.outcome_answers import answer  # noqa: E402
from sim.analysis.scoring import HEADLINES  # noqa: E402
from sim.api import scorecard  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.experiments.ensemble import run_ensemble  # noqa: E402
from sim.io.files import atomic_folder, write_atomic  # noqa: E402
from sim.io.outputs import describe, folder_of_kind, strangers  # noqa: E402
from sim.io.safe_yaml import load_yaml  # noqa: E402
from sim.io.scenario import load_scenario  # noqa: E402
from sim.io.signatures import provably_ours, signed_markdown  # noqa: E402
from sim.io.theatre import EARTH_KM_PER_DEG, load_theatre  # noqa: E402
from sim.names import MAX_WORKERS, date_words  # noqa: E402

SCENARIO = ROOT / "scenarios" / "campaign.yaml"
REPORT = "coordinate_sensitivity"  # REPORT.md (signed) and REPORT.csv (vouched for by the .md)
DRAW = "draw.md"  # in each theatre folder, signed: what marks the folder as this script's
MILESTONES = {"maarat-captured": "Ma'arat al-Numan", "saraqib-captured": "Saraqib", "whole-m5-held": "whole M5"}


def perturbed_towns(text: str, rng: np.random.Generator, sigma_km: float,
                    belts: frozenset[str] | None = None) -> tuple[str, np.ndarray]:
    """The towns table ``text`` with every approximate place moved (only those of ``belts``, "none" for a place in no
    belt, if given); and the km each moved.

    A row whose offset is zero keeps its text, so that sigma 0 writes the table byte for byte; moved ones get 5
    decimals (about a metre), as the table's own coordinates have. Every approximate place's offset is drawn whatever
    ``belts`` says, so a belt's places move as they do when all move: the belts' effects can be set side by side.
    """
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head = rows[0]
    lat_i, lon_i, status_i, belt_i = head.index("lat"), head.index("lon"), head.index("coord_status"), head.index("belt")
    moved = [r for r in rows[1:] if r[status_i].strip() == "approximate"]
    east, north = rng.normal(0.0, sigma_km, size=(2, len(moved)))
    if belts is not None:
        keep = np.array([(r[belt_i].strip() or "none") in belts for r in moved], bool)
        moved, east, north = [r for r, k in zip(moved, keep, strict=True) if k], east[keep], north[keep]
    for row, dx, dy in zip(moved, east, north, strict=True):
        lat = float(row[lat_i])
        if dy:
            row[lat_i] = f"{lat + dy / EARTH_KM_PER_DEG:.5f}"
        if dx:  # a degree of longitude is shorter by cos(latitude): the place's own, as the road lengths' haversine
            row[lon_i] = f"{float(row[lon_i]) + dx / (EARTH_KM_PER_DEG * math.cos(math.radians(lat))):.5f}"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), np.hypot(east, north)


def post_rule_breaks(theatre) -> list[str]:  # noqa: ANN001 - a sim.Theatre
    """The posts whose site breaks the shipped theatre's rule (the assertions of tests/test_theatre.py)."""
    broken = []
    for p in theatre.posts:
        at = list(p.towns)
        km = EARTH_KM_PER_DEG * np.hypot(theatre.lat[at] - p.lat, (theatre.lon[at] - p.lon) * math.cos(math.radians(p.lat)))
        if km[0] > km.min() + 0.05 or km.max() > max(km[0], 3.0) + 0.05 or km[0] > 4.0:
            broken.append(p.id)
    return broken


def write_theatre(folder: Path, k: int, rng: np.random.Generator, sigma_km: float, seed: int,
                  belts: frozenset[str] | None = None) -> tuple[int, np.ndarray]:
    """Write perturbed theatre ``k`` and its scenario into ``folder`` whole; return the draw kept and the km moved.

    Each draw is checked as ``run`` would read it before the folder replaces the old one; a refused draw is said on
    standard error and the generator's next draw is taken.
    """
    index = theatre_index()
    towns = index.parent / str(load_yaml(index)["towns"])
    for draw in range(1, 101):
        text, km = perturbed_towns(towns.read_text(encoding="utf-8"), rng, sigma_km, belts)
        try:
            with atomic_folder(folder) as tmp:
                for file in load_theatre(index).files:  # the index and its tables, named as the index names them
                    shutil.copyfile(file, tmp / file.name)
                write_atomic(tmp / towns.name, text)
                write_atomic(tmp / "scenario.yaml", f"# the recorded campaign on perturbed theatre {k} "
                             f"(scripts/coordinate_sensitivity.py)\nextends: {SCENARIO}\nname: campaign_coords_{k}\n"
                             f"theatre: {index.name}\n")
                load_scenario(tmp / "scenario.yaml")  # the loader's and the scenario's checks, on this draw
                write_atomic(tmp / DRAW, signed_markdown(
                    f"Perturbed theatre {k}: draw {draw} of numpy default_rng({seed}), sigma {sigma_km:g} km east and "
                    f"north; {len(km)} approximate places{belt_words(belts)} moved {km.mean() if km.size else 0:.2f} km on "
                    "average.\n"))
            return draw, km
        except InputError as exc:
            print(f"theatre {k}: draw {draw} refused ({exc}); drawing again", file=sys.stderr)
    raise SystemExit(f"theatre {k}: 100 draws refused in a row; is --sigma-km too large?")


def scores(card) -> dict:  # noqa: ANN001 - a Scorecard
    """The headline scores (overall and per set) and the milestones' median dates (None: never) of one scorecard."""
    row = {f"{h} ({s})": (card if s == "all" else card.sets[s]).headline()[h]
           for h in HEADLINES for s in ("all", "calibration", "validation")}
    by_id = {s.outcome.id: s for s in card.scores}
    return row | {name: answer(by_id[oid]).middle for oid, name in MILESTONES.items()}


def day(d) -> str:  # noqa: ANN001 - a date or None
    """A median date as the report writes it: '27 Jan 2020', or "never"."""
    return "never" if d is None else date_words(d, "%b")


def span(values: list, fmt) -> str:  # noqa: ANN001 - how to write one value
    """min - max of ``values`` as ``fmt`` writes each (None, "never", sorts last)."""
    ordered = sorted(values, key=lambda v: (v is None, v))
    return f"{fmt(ordered[0])} – {fmt(ordered[-1])}"


def belt_words(belts: frozenset[str] | None) -> str:
    """' of belts A, B' for a report's sentence ("" for all places)."""
    return "" if belts is None else f" of belt{'s' if len(belts) > 1 else ''} {', '.join(sorted(belts))}"


def tables(rows: list[dict], diffs: list[dict], sigma_km: float, runs: int, seed: int,
           belts: frozenset[str] | None = None) -> str:
    """The report in Markdown: scores and milestones per theatre with the range over the perturbed ones, then each
    perturbed theatre minus the base with its 90% paired-bootstrap interval."""
    sets, names, perturbed = ("all", "calibration", "validation"), [*HEADLINES, *MILESTONES.values()], rows[1:]
    lines = [f"# Coordinate sensitivity: the campaign on {len(perturbed)} perturbed theatres", "",
             f"Every approximate place{belt_words(belts)} moved by a normal offset of sd {sigma_km:g} km east and north "
             f"(numpy default_rng("
             f"{seed})); {runs} replicates each, on the campaign's seeds. Scores: all / calibration / validation.", "",
             "| theatre | mean move km | posts off rule | " + " | ".join(names) + " |", "|---" * (3 + len(names)) + "|"]
    cells = [(r["theatre"], lambda key, fmt, r=r: fmt(r[key])) for r in rows]  # a cell of a theatre's row, and
    if perturbed:  # of the range's, each cell the min - max over the perturbed theatres
        cells.append((f"range of {len(perturbed)}", lambda key, fmt: span([q[key] for q in perturbed], fmt)))
    for label, cell in cells:
        lines.append(f"| {label} | {cell('mean move km', '{:.2f}'.format)} | {cell('posts off rule', str)} | "
                     + " | ".join(" / ".join(cell(f"{h} ({s})", "{:.3f}".format) for s in sets) for h in HEADLINES)
                     + " | " + " | ".join(cell(m, day) for m in MILESTONES.values()) + " |")
    lines += ["", "Perturbed minus base, with the 90% paired-bootstrap interval of `sim compare base_runs theatre_N_runs` "
              "(scores over all outcomes; milestones: median date, days):", "",
              "| theatre | " + " | ".join(names) + " |", "|---" * (1 + len(names)) + "|"]
    for d in diffs:
        lines.append(f"| {d['theatre']} | " + " | ".join("n/a" if np.isnan(d[n]) else f"{d[n]:+.{3 if n in HEADLINES else 0}f} "
                     f"[{d[n + ' low']:+.{3 if n in HEADLINES else 0}f}, {d[n + ' high']:+.{3 if n in HEADLINES else 0}f}]"
                     for n in names) + " |")
    return "\n".join(lines) + "\n"


def theatre_index() -> Path:
    """The recorded campaign's theatre index (its tables lie beside it)."""
    return Path(load_scenario(SCENARIO).theatre)


def csv_text(rows: list[dict], diffs: list[dict]) -> str:
    """The table as CSV: a row per theatre (dates ISO, or "never", which sorts after them), each perturbed one's
    differences from the base with their intervals, then the min and the max over the perturbed theatres."""
    minus = {d["theatre"]: {f"minus base: {k}": v for k, v in d.items() if k != "theatre"} for d in diffs}
    records = [r | {m: "never" if r[m] is None else r[m].isoformat() for m in MILESTONES.values()}
               | minus.get(r["theatre"], {}) for r in rows]
    perturbed = records[1:]
    for name, pick in (("min over perturbed", min), ("max over perturbed", max)) if perturbed else ():
        records.append({"theatre": name} | {k: pick(r[k] for r in perturbed) for k in perturbed[0] if k != "theatre"})
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, list(records[-1] if perturbed else records[0]), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(records)
    return text.getvalue()


def foreign(out: Path) -> list[str]:
    """What in ``out`` this script did not write (empty if ``out`` is new), as scripts/readme_experiments.py judges it:
    ensembles (the simulator's kind, which ``run_ensemble`` judges further), theatre folders holding only what it
    writes there and its signed draw.md (the folder is replaced whole), its signed report, and temporaries a killed
    write left."""
    own = {f.name for f in load_theatre(theatre_index()).files} | {"scenario.yaml", DRAW}

    def ours(entry: Path) -> bool:
        if entry.name.endswith("_runs"):
            return folder_of_kind(entry, "ensemble")
        if entry.name.startswith("theatre_"):
            return (entry.is_dir() and not entry.is_symlink() and provably_ours(entry / DRAW)
                    and {p.name for p in entry.iterdir()} <= own)
        return entry.name in (f"{REPORT}.md", f"{REPORT}.csv") and provably_ours(entry)
    return strangers(out, ours)


def bounded(kind: type, lo: float, hi: float):  # noqa: ANN201 - an argparse type
    """An argparse type: a ``kind`` from ``lo`` to ``hi`` (argparse names the flag and exits with status 2)."""
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:  # NaN fails both comparisons
            raise argparse.ArgumentTypeError(f"expects a{'' if kind is int else ' real'} number from {lo:g} to {hi:g}, "
                                             f"not {text!r}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    """Write the perturbed theatres, run and score them and the base; 0 on success, 2 for a bad flag or ``--out``."""
    parser = argparse.ArgumentParser(description="Score the campaign on theatres whose approximate places are moved.")
    parser.add_argument("--out", type=Path, required=True, help="folder for everything (new, or one this script wrote)")
    parser.add_argument("--k", type=bounded(int, 1, 100), default=5, help="perturbed theatres (default 5)")
    parser.add_argument("--sigma-km", type=bounded(float, 0, 20), default=3.0,
                        help="sd of each place's east and north offset, km (default 3: see the script's docstring)")
    parser.add_argument("--seed", type=bounded(int, 0, 2**63 - 1), default=1, help="numpy default_rng seed (default 1)")
    parser.add_argument("--runs", type=bounded(int, 2, 10_000), default=40, help="replicates of each (default 40)")
    parser.add_argument("--workers", type=bounded(int, 1, MAX_WORKERS), default=2, help="processes (default 2)")
    parser.add_argument("--belts", nargs="+", choices=("A", "B", "C", "D", "none"), metavar="BELT",
                        help="move only the approximate places of these belts of the front (A, B, C, D: the theatre's "
                             "`belts`; none: places in no belt); their offsets are those they get when all move")
    parser.add_argument("--theatres-only", action="store_true", help="write the perturbed theatres; run nothing")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if (out.exists() and not out.is_dir()) or not out.parent.is_dir():
        what = f"is {describe(out)}, not a folder" if out.exists() else "its parent folder does not exist"
        print(f"error: --out {args.out}: {what}; choose another --out", file=sys.stderr)
        return 2
    if strangers := foreign(out):
        print(f"error: --out {args.out}: holds what this script did not write ({'; '.join(strangers[:4])}); nothing "
              "is run or touched: choose another --out (a new folder's name)", file=sys.stderr)
        return 2
    out.mkdir(exist_ok=True)
    started, rng = time.monotonic(), np.random.default_rng(args.seed)
    belts = frozenset(args.belts) if args.belts else None
    drawn = [write_theatre(out / f"theatre_{k}", k, rng, args.sigma_km, args.seed, belts) for k in range(1, args.k + 1)]
    print(f"wrote {args.k} perturbed theatres in {out}")
    if args.theatres_only:
        return 0
    rows, diffs, base = [], [], None
    for k, label in enumerate(["base", *(f"theatre_{k}" for k in range(1, args.k + 1))]):
        scenario = SCENARIO if k == 0 else out / label / "scenario.yaml"
        try:
            results = run_ensemble(scenario, args.runs, out / f"{label}_runs", workers=args.workers)
        except InputError as exc:  # e.g. an ensemble of another scenario under that name
            print(f"error: {exc}", file=sys.stderr)
            return 1
        card = scorecard(results)
        moved = drawn[k - 1][1] if k else np.zeros(1)
        rows.append({"theatre": label, "draw": drawn[k - 1][0] if k else "", "mean move km": float(moved.mean()),
                     "posts off rule": len(post_rule_breaks(results.theatre))} | scores(card))
        print(f"scored {label} ({time.monotonic() - started:.0f} s)", flush=True)
        if k == 0:
            base = card
            continue
        c = compare(base, card)
        d = {"theatre": label}
        for x in [*c.headlines, *(s for s in c.dates if s.name in MILESTONES)]:
            name = MILESTONES.get(x.name, x.name)
            d |= {name: x.diff, f"{name} low": x.low, f"{name} high": x.high}
        diffs.append(d)
    report = tables(rows, diffs, args.sigma_km, args.runs, args.seed, belts)
    write_atomic(out / f"{REPORT}.md", signed_markdown(report))  # the .md first: it vouches for the .csv
    write_atomic(out / f"{REPORT}.csv", csv_text(rows, diffs))
    print(report + f"\n{out / REPORT}.md and .csv written ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
