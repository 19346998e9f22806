"""The package's version, read from its installed metadata (pyproject.toml is the one place it is written)."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "idlib-ceasefire-sim"


def package_version() -> str:
    """The installed version, or ``"unknown"`` in a source tree that was never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
