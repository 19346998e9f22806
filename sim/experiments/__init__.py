"""Running the model and writing what it produced: one run, ensembles, sweeps.

- ``run``: ``simulate`` — one run, collected as tables (``RunResult``).
- ``manifest``: the manifest every run and ensemble folder carries.
- ``rundir``: ``write_run`` — a run folder, written whole or not at all.
- ``ensemble``: N seeded replicates in parallel, resumable, summarised; ``seeds``: the replicates' seeds (seed + i).
- ``executors``: where batches run: this process, a process pool, a Dask cluster.
- ``forkserver``: the process the local workers are forked from, started early and ended with the command.
- ``dask_workers``: what a local Dask cluster's workers are given (Ctrl-C left to the command); imports Dask.
- ``parameters``, ``designs``, ``sweep_file``, ``sweep_settings``: what a sweep varies, its points, sweep files and
  their settings (runs, sample, n, seeds);
  ``design_file``: a sweep's points (or a parameter set) from a CSV file made elsewhere.
- ``mesa_adapter``: ``IdlibModel``, one run with keyword parameters, for ``mesa.batch_run``.
- ``ema``: ``ema_model``, a scenario as an EMA Workbench model.
- ``sweep``: running a sweep, one row per run; ``storage``: its Parquet part files.
- ``calibration_file``, ``calibration``, ``calibration_runs``, ``calibration_results``: ``python -m sim calibrate`` —
  calibration files, the Optuna study asked in seeded batches, a trial's points run and scored, the accepted set,
  calibrated layers, slices and the report.
- ``param_sets``: ensembles drawn across a parameter set (``run --runs N --param-set FILE``).
"""
