"""The words every layer shares: the factions, the sides that hold towns, and their codes.

- ``FactionName``: any of the five factions, as scenarios spell them.
- ``HolderName``: the three factions that hold towns (Russia and Turkey hold none).
- ``HolderCode``: how a holder is stored in the control arrays (``int8``), and
  ``HOLDERS[code]`` is its name.
- ``DISPLAY_NAMES``: how readers see them ("Government", "Turkish-backed rebels").
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

FACTIONS = ("regime", "russia", "turkey", "hts", "rebels")
HOLDERS = ("regime", "hts", "rebels")

# How figures, maps and summaries name the factions (the codes above are what files store).
DISPLAY_NAMES = {"regime": "Government", "hts": "HTS", "rebels": "Turkish-backed rebels", "turkey": "Turkey", "russia": "Russia"}

FactionName = Literal["regime", "russia", "turkey", "hts", "rebels"]
HolderName = Literal["regime", "hts", "rebels"]


class HolderCode(IntEnum):
    """Codes of the factions that hold towns, as stored in control arrays (``HOLDERS[code]`` names them)."""

    REGIME = 0
    HTS = 1
    REBELS = 2
