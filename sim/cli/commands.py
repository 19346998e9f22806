"""Every command's function by its name: those that run the model (:mod:`.running`), those that read files and results
(:mod:`.reading`), and ``app``, which starts the browser app. Each reads the flags, calls the Python API and prints
what was done."""

from __future__ import annotations

import argparse

from . import reading, running


def _app(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..app.server import serve

    scenario = None if args.scenario is None else str(args.scenario)  # (refused by the flag if empty or blank)
    return serve(args.host, args.port, save_dir=args.save_dir, scenario=scenario, open_browser=args.open)


COMMAND_FUNCTIONS = {**running.FUNCTIONS, **reading.FUNCTIONS, "app": _app}
