"""``python -m sim``: check the Python version first, in syntax any Python 3 can read, then run the command line."""

import sys

if sys.version_info < (3, 12):
    sys.stderr.write(
        "error: the Idlib ceasefire simulator needs Python 3.12 or newer; this is Python %d.%d (%s).\n"
        "Make an environment with a newer Python (scripts/find-python finds one):\n"
        '  "$(scripts/find-python)" -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python -m sim\n'
        % (sys.version_info[0], sys.version_info[1], sys.executable)
    )
    raise SystemExit(2)

from .cli import main  # noqa: E402 - only once the version is known to be enough

raise SystemExit(main(prog="python -m sim"))
