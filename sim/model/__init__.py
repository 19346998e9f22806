"""The model: one day per step, five factions acting on numpy arrays over (replicates, towns).

- ``model``: ``CeasefireModel`` (Mesa ``Model``): the state, the day's order; a batch of replicates.
- ``reporters``: what the model reports each day (the columns of ``timeseries.csv``), as Mesa model reporters.
- ``collector``: Mesa's DataCollector for them, storing each day's arrays without Mesa's deep copies.
- ``factions``, ``regime``, ``opposition``: the five factions (Mesa ``Agent``\\s), one class each, one method per rule.
- ``force_group``: one of the government's force groups (its force, axis, frontage and push).
- ``targets``: the regime's choice of targets: each group's objective, what it can reach, how much it wants each town.
- ``frontage``: where a force group finds its targets, and the best of them over its frontage.
- ``combat``: attrition, withdrawal, rout, and collapse that spreads (shock, pockets, abandonment).
- ``ceasefire``: truces and agreements as a state machine, and every rule about them.
- ``civilians``: flight from assault, bombing, the approaching front and capture, to the camps.
- ``encirclement``: Turkish posts found cut off or relieved after the day's fighting, and the cover of the intact ones.
- ``towns``: queries over the town arrays that no faction owns (the front, pockets, posts as sites).
- ``streams``: random numbers addressed by (seed, day, rule, town): a replicate is the same alone or in a batch.
- ``params``: parameters that differ per replicate when several points of a sweep step together in one batch.
- ``scenario_event``: the base of every scenario event, and the registry of their kinds.
- ``events``: the scenario's dated events, as objects the model schedules.
- ``patrols``: the joint patrols' events (a patrol plan, a protest camp), each plan's random numbers, their log, and
  the corridor's policing that makes their road safer.
- ``journal``: the batch's event log, a day's captures kept as arrays until it is read.
- ``invariants``: what no state may be (shares outside [0, 1], a deal's illegal move, people lost, ...), checked in tests.

The rules ask ``count_nonzero(mask)`` where ``mask.any()`` would do, on the masks they test every day: the same
answer without ``ndarray.any``'s Python wrapper, which costs more than the test for a batch's few replicates. It is
numpy's own C function, which ``np.count_nonzero`` calls after two Python calls of its own (its dispatcher and its
``axis`` argument's check): 0.1 µs a test instead of 0.5, some 1,800 tests a campaign run. It counts the whole
array, as ``np.count_nonzero`` with no ``axis`` does, and takes no ``axis``.
"""

try:
    from numpy._core.multiarray import count_nonzero
except ImportError:  # numpy 1, where the module has another name: its wrapper, the same count
    from numpy import count_nonzero

__all__ = ["count_nonzero"]
