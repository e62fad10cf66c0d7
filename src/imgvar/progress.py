"""Progress of measurable work inside a stage (tiles, iterations, presets, uploads).

Code deep inside a stage reports `advance(done, total)` without knowing who
listens; the pipeline installs a listener for the stage it runs. With no
listener a report costs one context-variable lookup.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

# listener(done, total, unit): `done` of `total` units of the current stage's work
Listener = Callable[[float, float, str], None]

_listener: ContextVar[Listener | None] = ContextVar("imgvar_progress", default=None)


def advance(done: float, total: float, unit: str = "steps") -> None:
    """Say that `done` of `total` units of the current work are finished."""
    listener = _listener.get()
    if listener is not None and total > 0:
        listener(float(done), float(total), unit)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the reports made inside this block to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
