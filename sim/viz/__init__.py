"""Maps and plots, drawn on matplotlib ``Figure`` objects (never through pyplot, never switching backends).

- ``style``: colours, names, making and saving figures.
- ``map_state``: what a map shows on one date, read from a run (posts as the run recorded them).
- ``geometry``: territory cells, the outline and front lines of a theatre.
- ``drawing``: drawing a map state on an Axes; ``labels``: town and road labels that do not overlap.
- ``figures``: control maps, maps side by side, ensemble maps; ``maps``: the maps of results folders.
- ``corridor_key``: the security corridor's legend entry, one for maps side by side.
- ``animation``: daily control as a GIF.
- ``plots``: time series, capture dates, losses and patrols against the record; ``capture_rows``: which captures
  capture_dates.png gives a row; ``event_key``: the scenario's events on towns_held.png and their key.
- ``sweep_plots``, ``sweep_report``: a sweep's figures and its report folder.
- ``calibration_plots``: a calibration's history, the accepted set's marginals, the slices.
- ``discovery_report``: PRIM's boxes and peeling trajectories (``sim discover``).
"""
