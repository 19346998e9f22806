"""Every name ``import sim`` offers, and every public method and property of its classes and of the objects its
functions return, says in a docstring what it does: ``help(sweep.table)`` on the SweepResult of ``sim.run_sweep``
printed nothing (round 62 found it, ``Scorecard.headline``, ``RunResult.dates`` and ``RunData.day`` without one)."""

from __future__ import annotations

import inspect

import pytest

import sim
from sim.experiments.calibration import CalibrationRun
from sim.experiments.sweep import SweepResult
from sim.viz.discovery_report import DiscoveryReport

# what sim.run_sweep, sim.run_calibration and sim.discovery_report return, not exported by name
RETURNED = [SweepResult, CalibrationRun, DiscoveryReport]


def undocumented(cls: type) -> list[str]:
    """The public methods and properties ``cls`` defines itself that have no docstring."""
    missing = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        func = member.fget if isinstance(member, property) else getattr(member, "func", member)  # cached_property
        if (inspect.isfunction(func) or isinstance(member, property)) and not inspect.getdoc(func):
            missing.append(f"{cls.__name__}.{name}")
    return missing


@pytest.mark.filterwarnings("ignore::UserWarning")  # EMA Workbench's own, on import, for its optional extras
def test_every_public_name_method_and_property_has_a_docstring():
    names = [getattr(sim, name) for name in sim.__all__]
    missing = [getattr(obj, "__name__", repr(obj)) for obj in names if not inspect.getdoc(obj)]
    for cls in [obj for obj in names if inspect.isclass(obj)] + RETURNED:
        missing += undocumented(cls)
    # a dataclass's docstring made up from its fields ("SweepResult(path: 'Path', ...)") says nothing of what it is
    missing += [cls.__name__ for cls in RETURNED if inspect.getdoc(cls).startswith(cls.__name__ + "(")]
    assert missing == []
