"""The words every layer shares: the factions, the sides that hold towns, and their codes.

- ``FactionName``: any of the five factions, as scenarios spell them.
- ``HolderName``: the three factions that hold towns (Russia and Turkey hold none).
- ``HolderCode``: how a holder is stored in the control arrays (``int8``), and
  ``HOLDERS[code]`` is its name.
- ``DISPLAY_NAMES``: how readers see them ("Government", "Turkish-backed rebels").
- ``EVENT_TYPES``: the types of event a run logs (the ``type`` column of ``events.csv``).
- ``date_words``: a date as every output writes it in words ('5 March 2020').
- ``replicates``: a count of them in words ('1 replicate', '40 replicates').
- ``MAX_SEED``: the largest seed, which the schema, the flags, the ensembles and the model's streams all check.
- ``MAX_RUNS``, ``MAX_WORKERS``, ``MAX_N``, ``MAX_TRIALS``: the most replicates of an ensemble or of a sweep's
  point, workers, points of a sampled sweep and trials of a calibration, which the flags, the sweep and calibration
  files and the Python API all check (here, so that the command line reads them without numpy).
- ``MAX_TOTAL_RUNS``: the most runs of one sweep, which sweep files, flags and a sweep's ``sweep.json`` read back
  are held to.
- ``MAX_BOXES``: the most boxes ``discover`` looks for (``--boxes``, ``sim.discover(max_boxes=)``).
"""

from __future__ import annotations

import numbers
from typing import Literal

def is_whole(value: object) -> bool:
    """Whether ``value`` is a whole number: an int or numpy's integer, not a bool (True is an int to Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers (manifests, Parquet rows, the model's uint64 keys)
MAX_RUNS = 100_000  # replicates: of an ensemble (--runs, sim.replicate_seeds), of each point of a sweep (--runs, runs:)
MAX_WORKERS = 64  # processes, or Dask workers (--workers)
MAX_N = 1_000_000  # a sampled sweep's size (--n, n:)
MAX_TRIALS = 100_000  # a calibration's trial budget (--trials, budget: trials:), not replicates
MAX_TOTAL_RUNS = 100_000_000  # runs of one sweep (points x runs): a million points of 100,000 exhausted the memory
MAX_BOXES = 20  # PRIM boxes of one discovery (--boxes, max_boxes=): each on the points the earlier ones left
FACTIONS = ("regime", "russia", "turkey", "hts", "rebels")
HOLDERS = ("regime", "hts", "rebels")

# How figures, maps and summaries name the factions (the codes above are what files store).
DISPLAY_NAMES = {"regime": "Government", "hts": "HTS", "rebels": "Turkish-backed rebels", "turkey": "Turkey", "russia": "Russia"}

# Every type of event a run logs (events.csv's ``type``), so that an outcome naming one that no run logs is refused
# when it is read, not scored "never". A truce's and an agreement's are alike; offensives and posts log their action.
# tests/test_scoring.py holds this list to the types the model's code logs.
EVENT_TYPES = (
    "capture", "turkish_losses", "violation", "strike", "strike_withheld", "reinforcement", "sit_in", "sit_in_not_held",
    *(f"{deal}_{what}" for deal in ("truce", "agreement") for what in ("announced", "in_force", "expired", "broken", "superseded")),
    "offensive_start", "offensive_stop", "offensive_culminated", "intervention", "intervention_end", "air_policy", "air_policy_end",
    "patrol", "patrol_completed", "patrol_suspended", "post_establish", "post_withdraw", "post_encircled",
    "military_police", "military_police_not_deployed",
)
PATROL_EVENTS = ("patrol", "patrol_completed")  # a joint patrol stopped on the way, and one that drove its whole route

FactionName = Literal["regime", "russia", "turkey", "hts", "rebels"]
HolderName = Literal["regime", "hts", "rebels"]


class HolderCode:
    """Codes of the factions that hold towns, as stored in control arrays (``HOLDERS[code]`` names them).

    Plain ints, not an IntEnum: numpy compares an array with an IntEnum member at twice the cost of an int, and the
    model's rules make such comparisons many times a day.
    """

    REGIME = 0
    HTS = 1
    REBELS = 2


def date_words(day, month: str = "%B", *, year: bool = True) -> str:  # noqa: ANN001 - a date
    """A date as every output writes it in words: '5 March 2020' ('5 Mar 2020' with ``month="%b"``, '5 Mar' without
    the year). No leading zero: a reader says 'the 5th', not 'the 05th'."""
    return f"{day.day} {day:{month}}" + (f" {day:%Y}" if year else "")


def replicates(n: int) -> str:
    """'1 replicate', '40 replicates': every output counts them so ('1 replicates' was printed in five places)."""
    return counted(n, "replicate")


def counted(n: int, noun: str) -> str:
    """'1 point', '24 points': a count with its noun in the singular or the plural ('1 points x 1 replicate = 1 runs')."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
