"""Mesa's DataCollector for the model's reporters (:mod:`sim.model.reporters`), storing each day's arrays cheaply."""

from __future__ import annotations

import functools

from mesa.datacollection import DataCollector
import numpy as np

from .reporters import FRESH, TO_6_DECIMALS, round6


class DailyCollector(DataCollector):
    """Mesa's DataCollector for the :data:`~sim.model.reporters.REPORTERS`, storing each day's array with ``ndarray.copy``.

    Mesa's own ``collect`` passes every value through ``copy.deepcopy``, whose
    memo and bookkeeping cost more than the copy itself, 21 times a day. Every
    reporter here returns a numpy array of numbers or fixed-width strings, of
    which the two copies are the same bytes (and a copy is still needed: some
    values, such as a deal's violations, change in place later). The first
    day goes through Mesa's ``collect``, which checks the reporters once.
    A reporter in :data:`~sim.model.reporters.FRESH` hands over a new array each day, stored
    without a copy (13 of the 21). The columns rounded to 6 decimals
    (:data:`~sim.model.reporters.TO_6_DECIMALS`) are rounded together, and each
    stores its row of the one new array.
    """

    def collect(self, model) -> None:  # noqa: ANN001 - the model
        if not self._validated:
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        for store, reporter, fresh in self._columns:
            value = reporter(model)
            store(value if fresh else value.copy())
        stores, unrounded = self._to_6_decimals  # rounded together: row i is the i-th column's reporter's value
        for store, value in zip(stores, round6(np.array([reporter(model) for reporter in unrounded])), strict=True):
            store(value)

    def collect_again(self, model) -> None:  # noqa: ANN001 - the model
        """Replace the last day's values by the model's values now (the start date's, once its events have fired)."""
        self._collection_steps.pop()
        for values in self.model_vars.values():
            values.pop()
        self.collect(model)

    @functools.cached_property
    def _columns(self) -> list[tuple]:
        """(where its values go, its reporter, whether it is in FRESH) for each reporter but those of
        :data:`~sim.model.reporters.TO_6_DECIMALS`, looked up once."""
        return [(self.model_vars[name].append, reporter, name in FRESH) for name, reporter in self.model_reporters.items()
                if name not in TO_6_DECIMALS]

    @functools.cached_property
    def _to_6_decimals(self) -> tuple[list, list]:
        """Where the values of each column of :data:`~sim.model.reporters.TO_6_DECIMALS` go, and its value unrounded."""
        return [self.model_vars[name].append for name in TO_6_DECIMALS], list(TO_6_DECIMALS.values())
