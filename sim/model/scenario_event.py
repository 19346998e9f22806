"""The base of every scenario event: what the scenario says, when it fires, and the registry of kinds.

Each kind (:mod:`sim.model.events`, :mod:`sim.model.patrols`) subclasses :class:`ScenarioEvent` and names the schema
branch it handles; subclassing registers it in :attr:`ScenarioEvent.by_spec`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from mesa.time import Priority

from ..io import schema

if TYPE_CHECKING:
    from .model import CeasefireModel


class ScenarioEvent:
    """One dated event of a scenario: ``spec`` is what the scenario says, ``fire`` what happens."""

    handles: ClassVar[type[schema.EventSpec] | None] = None
    by_spec: ClassVar[dict[type[schema.EventSpec], type[ScenarioEvent]]] = {}
    priority: ClassVar[Priority] = Priority.DEFAULT  # among the events of one night: see TruceEvent
    # Mesa runs the events of one time and priority in the order they were scheduled, and the model schedules its
    # events in the scenario's order but for a kind that comes last: after every other event of its night, those of
    # its own priority too (see StrikeEvent).
    last: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("handles") is not None:
            ScenarioEvent.by_spec[cls.handles] = cls

    def __init__(self, model: CeasefireModel, spec: schema.EventSpec) -> None:
        self.model, self.spec = model, spec

    def schedule(self) -> None:
        self.at(self.model.time_of(self.spec.date), self.fire)

    def at(self, time: float, fn: Callable[[], None], priority: Priority | None = None) -> None:
        """Run ``fn`` at model ``time``, among the events of its night by ``priority`` (default: the event's). Mesa's
        clock starts at 0, after the night before the start date (-0.5): what is dated on the start date runs at 0,
        before the first step all the same, and counts as the start date."""
        self.model.schedule_event(fn, at=max(0.0, time), priority=self.priority if priority is None else priority)

    def town(self, name: str) -> int:
        return self.model.theatre.town(name)

    def fire(self) -> None:  # pragma: no cover - every kind overrides
        raise NotImplementedError
