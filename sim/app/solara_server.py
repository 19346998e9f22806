"""Solara's command line as the app's server runs it: ``python -m sim.app.solara_server run ...`` (what
:func:`sim.app.server.serve` becomes).

Ctrl-C, or SIGTERM, ends it as it ends the simulator's other commands, with status 130 and one line. Solara's own
command line said "Aborted." and ended with status 1 on Ctrl-C, which reads as a failure (to a script or a service
manager too), and was killed by SIGTERM.
"""

from __future__ import annotations

import signal
import sys


def main(argv: list[str]) -> int:
    """Run Solara's command line with ``argv``; returns the exit status."""
    import click
    from solara.__main__ import cli

    # SIGTERM as Ctrl-C. The server (uvicorn) shuts down on either, then hands the signal on to this handler.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        cli.main(argv, prog_name="solara", standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C: the server has shut down, and click turned the interrupt into this
        print("interrupted: the app is no longer served", file=sys.stderr)
        return 130
    except click.exceptions.ClickException as exc:  # as Solara's command line shows it
        exc.show()
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
