"""Starting the app: a Solara server for :mod:`sim.app.app`, on this machine only unless told otherwise.

The page's front-end comes from the ``solara-assets`` package (pinned to
Solara's version in the ``app`` extra), so it loads with no network; Solara's
telemetry and its version check, which would call out, are turned off.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

from ..errors import InputError, require_extra
from ..interrupts import raise_if_interrupted
from ..io.scenario import load_scenario
from .config import DEFAULT_SCENARIO

OFFLINE = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
# Solara's "This website runs on Solara" line sits fixed in the page's bottom-right corner, over the maps' scale bars.
NO_BANNER = {"SOLARA_THEME_SHOW_BANNER": "False"}
NEEDS = ("solara", "solara_assets", "mesa.visualization")


def server_command(host: str, port: int, *, open_browser: bool = False) -> list[str]:
    """The command that serves the page."""
    return [sys.executable, "-m", "sim.app.solara_server", "run", "sim.app.app", "--host", host, "--port", str(port), "--production",
            "--no-check-version", "--open" if open_browser else "--no-open"]


def server_environment(root: Path, save_dir: Path | None, scenario: str | None) -> dict[str, str]:
    """The environment of the server process: where the app reads and writes, and no calls out."""
    return {**os.environ, **OFFLINE, **NO_BANNER, "SIM_APP_ROOT": str(root),
            "SIM_APP_SAVE_DIR": str(save_dir or root / "scenarios" / "whatif"), "SIM_APP_SCENARIO": scenario or DEFAULT_SCENARIO}


def _check_free(host: str, port: int) -> None:
    """Refuse a port another server listens on, before this process becomes the app's server.

    Probed as uvicorn binds (with ``SO_REUSEADDR``, so a port left in TIME_WAIT counts as free). A server that
    takes the port between the probe and the start still gets uvicorn's own message.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(None, f"cannot serve on host {host!r}: {exc.strerror}", key="--host") from None
    family, kind, proto, _, address = addresses[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(None, f"port {port} on {host} is in use (another app or server?): give another with --port",
                                 key="--port") from None
            raise InputError(None, f"cannot serve on {host}:{port}: {exc.strerror}", key="--port") from None


def _check_save_dir(folder: Path) -> None:
    """Refuse a ``--save-dir`` that a what-if could not be saved into, before serving: it failed only at the first save.

    It is made when a what-if is first saved, so it may not exist yet; the nearest folder above it that does must then
    be one this process may write into.
    """
    there = folder
    while not there.exists() and there != there.parent:
        there = there.parent
    if not there.is_dir():
        under = "" if there == folder else f" (it lies under {there}, a file)"
        raise InputError(folder, f"is not a folder{under}: give the folder what-ifs are saved into", key="--save-dir")
    if not os.access(there, os.W_OK | os.X_OK):
        raise InputError(folder, f"{there} may not be written into: give a folder of yours", key="--save-dir")

def serve(host: str = "localhost", port: int = 8765, *, root: Path = Path("."), save_dir: Path | None = None,
          scenario: str | None = None, open_browser: bool = False) -> int:
    """Become the app's server (``exec``: one process, stopped by Ctrl-C or its process id); returns only on error.

    Raises:
        InputError: the app extra is not installed, or the scenario to open with does not exist.
    """
    require_extra("app", "the app", NEEDS)
    first = root / (scenario or DEFAULT_SCENARIO)
    if not first.is_file() and scenario:  # not 'or give --scenario' to one who gave it
        raise InputError(first, "no such scenario file", key="--scenario")
    if not first.is_file():  # nor '--scenario scenarios/campaign.yaml' to one who gave none
        raise InputError(first, "no such file, the scenario the page opens with: run the app from the repository root, "
                                "or give --scenario FILE")
    load_scenario(first)  # a file that does not load stops here, with its line and key: the page showed a traceback
    if save_dir is not None:
        _check_save_dir(save_dir)
    _check_free(host, port)
    if host not in ("localhost", "127.0.0.1", "::1"):
        print(f"warning: serving on {host}: anyone who can reach this machine can use the app", file=sys.stderr)
    raise_if_interrupted()  # a Ctrl-C that came while this process imported: do not become the server
    print(f"serving the app at http://{host}:{port} (Ctrl-C stops it)", flush=True)
    command = server_command(host, port, open_browser=open_browser)
    os.execve(command[0], command, server_environment(root, save_dir, scenario))  # this process becomes the server
