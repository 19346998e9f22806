"""Reading results back and saying what they mean: summaries, scores against the record, comparisons.

- ``results``: run, ensemble and sweep folders read back (``RunData``, ``Results``, ``read_rows``).
- ``rundata``: one replicate as analysis sees it (``RunData``), and replicates side by side (``RunBatch``).
- ``replicates``: an ensemble's replicates as Parquet parts, read back whole or not at all.
- ``relocated``: a results folder's theatre and claims record found again after the checkout that wrote it moved.
- ``integrity``: whether each table and Parquet part read back is whole (``DamagedResult`` if not).
- ``aggregate``: ensemble summaries (control probabilities, capture dates, time-series quantiles).
- ``outcomes``: the kinds of reported outcome and how one run meets each.
- ``outcomes_file``: an outcomes file read and checked against the theatre, the claims record and the time series.
- ``scored_outcomes``: which reported outcomes a run of a scenario is scored against, read once per file version.
- ``scoring``: scorecards against the record and the frozen-front baseline (the one Brier score).
- ``outcome_answers``: what each scored outcome's replicates show, and the table of every outcome beside its report.
- ``comparison``: two ensembles side by side.
- ``shared_seeds``: which replicates of two ensembles a comparison pairs (those on the same seed).
- ``bootstrap``: bootstrap intervals of B - A over replicates, one at a time or a table's taken together.
- ``metrics``: one row of numbers per run, for sweeps.
- ``report``: a scorecard as markdown, the reports' markdown tables, and a report's files written.
- ``comparison_report``: two ensembles' comparison as markdown and CSV.
- ``summary``: a run or ensemble in a screenful, for the terminal.
- ``sensitivity``: a sweep's per-point summary and sensitivity indices.
- ``calibration_score``: the calibration objective, a proper score of an ensemble (Brier, CRPS).
- ``calibration_report``: a calibration's best point, accepted set, slice verdicts and report.md.
- ``discovery``: scenario discovery on a sweep's points (EMA Workbench's PRIM): boxes, coverage, density, quasi-p values.
"""
