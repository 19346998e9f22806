"""Mesa's DataCollector for the model's reporters (:mod:`sim.model.reporters`), storing each day's arrays cheaply."""

from __future__ import annotations

import functools

from mesa.datacollection import DataCollector
import numpy as np

from .reporters import FRESH, TO_6_DECIMALS, round6


class DailyCollector(DataCollector):
    """Mesa's DataCollector for the :data:`~sim.model.reporters.REPORTERS`, storing each day's array without a copy.

    Mesa's own ``collect`` passes every value through ``copy.deepcopy``, whose
    memo and bookkeeping cost more than a copy, 21 times a day; and a copy is
    needed by none. Every reporter here returns a numpy array of numbers or
    fixed-width strings: a new one each day (those in
    :data:`~sim.model.reporters.FRESH`), or one the model keeps and never
    changes in place. Such an array is made read-only when it is first stored,
    so that a write in place would fail loudly rather than rewrite the days
    recorded; most days it is the one stored the day before, already
    read-only. The first day goes through Mesa's ``collect``, which checks
    the reporters once. The columns rounded to 6 decimals
    (:data:`~sim.model.reporters.TO_6_DECIMALS`) are rounded together, and
    each stores its row of the one new array.
    """

    def collect(self, model) -> None:  # noqa: ANN001 - the model
        if not self._validated:
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        for values, reporter, fresh in self._columns:
            value = reporter(model)
            if not fresh and not (values and values[-1] is value):  # a kept array, stored for the first time
                value.setflags(write=False)
            values.append(value)
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
        """(its values so far, its reporter, whether it is in FRESH) for each reporter but those of
        :data:`~sim.model.reporters.TO_6_DECIMALS`, looked up once."""
        return [(self.model_vars[name], reporter, name in FRESH) for name, reporter in self.model_reporters.items()
                if name not in TO_6_DECIMALS]

    @functools.cached_property
    def _to_6_decimals(self) -> tuple[list, list]:
        """Where the values of each column of :data:`~sim.model.reporters.TO_6_DECIMALS` go, and its value unrounded."""
        return [self.model_vars[name].append for name in TO_6_DECIMALS], list(TO_6_DECIMALS.values())
