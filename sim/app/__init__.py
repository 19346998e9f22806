"""The browser app: ``python -m sim app``, an interactive what-if dashboard on Mesa's SolaraViz.

Needs the ``app`` extra (``pip install -e '.[app]'``); nothing else in ``sim``
imports this package, so ``import sim`` never loads Solara.

- ``settings``: the sidebar as data — the scenario, sliders (ranges from the schema) and toggles — and the scenario it makes.
- ``whatif``: the settings saved as a what-if file that ``extends`` the scenario; ``file_changes``: what such a file
  changes from the scenario it extends.
- ``config``: where the app reads scenarios and saves what-ifs.
- ``live``: the Mesa model the page steps, runs in memory, N replicates with progress.
- ``ensemble``: an ensemble's scorecard, comparison with its baseline, and tables.
- ``outcome_words``, ``compare_words``: the scorecard and the comparison with the baseline in words, for the page.
- ``typeset``: the command line's plain text ('B - A', '-3', '5 Mar 2020') as the page writes it.
- ``figures``: the page's figures as PNG, drawn by :mod:`sim.viz`.
- ``panels``, ``run_view``, ``ensemble_view``, ``export_view``: the Solara components; ``guard``: a view that fails
  says so where it stands; ``breaks``: where the page's paths may break across lines, and still copy as paths, and
  the user's strings in its Markdown shown exactly as they are; ``breakable``: such text as a Solara element, and
  the page's error alert of it.
- ``theme``: the dark theme's colours where Solara's read faintly.
- ``app``: the page (SolaraViz and the tabs); ``server``: starting it; ``solara_server``: Solara's command line, which
  the server process runs, ended by Ctrl-C or SIGTERM as the other commands are.
"""
