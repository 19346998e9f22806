"""Benchmarks (not part of the test suite), each run from the repository root with the project's environment.

- ``run.py``: the performance table of docs/performance.md (issue 6), with ``synthetic.py``'s theatres for scaling.
- ``batches.py``: batched replicates and sweeps (issue 15); ``sweep_workers.py``: sweeps across workers (issue 16).
- ``app.py``: the browser app's responsiveness (issue 18).
- ``yardstick.py`` and ``instructions.py``: one campaign run against issue 14's 40 ms, in the terms of the machine
  the target was set on, by timing and by counting instructions.
"""
