"""Errors stay in the page: a view that fails says so where it stands, and the server goes on."""

from __future__ import annotations

import traceback
from collections.abc import Callable

import solara

from .breakable import ErrorAlert


def attempt(fn: Callable, *args: object) -> tuple[object, str | None]:
    """(fn(*args), None), or (None, the error in one line)."""
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the page says so and stays up
        traceback.print_exc()
        return None, f"{type(exc).__name__}: {exc}"


@solara.component
def Guarded(view: Callable, *args: object):
    """``view(*args)``, or, if rendering it raised, the error and a button to try again."""
    exception, clear = solara.use_exception()
    # The view and the failure each under a key of their own: a view that raised on its first render left a context
    # holding its hooks and no element, and Solara (reacton) reuses such a context for whatever is rendered next at its
    # key, whatever the component. Under the same key the failure's Column was checked against the view's hooks
    # ('Previously render had 3 effects, this run 1 ... conditional hooks?'), again on every render: the page stopped.
    if exception is not None:
        with solara.Column().key("failed"):
            ErrorAlert(f"This view failed: {type(exception).__name__}: {exception}")
            solara.Button("Try again", on_click=clear)
        return
    view(*args).key("view")
