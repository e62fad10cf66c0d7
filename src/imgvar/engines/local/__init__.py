"""The offline engine: every role runs on the CPU with no key and no download.

Its roles load on first use: a run answered from the store needs only their
`version` (it is part of each cache key), never the parser, the style presets
or the compositor behind them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..base import Engine

if TYPE_CHECKING:
    from ...config import Settings

# role -> (module, class, version). The version must equal the class's own: loading a
# role whose class says otherwise fails loudly, so a version bump cannot go unnoticed.
ROLES: dict[str, tuple[str, str, str]] = {
    "analyzer": ("analyzer", "LocalAnalyzer", "parser-3"),
    "stylizer": ("stylizer", "LocalStylizer", "presets-2"),
    "recontexter": ("recontexter", "LocalRecontexter", "composite-2"),
    "adder": ("adder", "LocalObjectAdder", "place-1"),
    "remover": ("remover", "LocalRemover", "inpaint-1"),
    "describer": ("describer", "TemplateDescriber", "template-2"),
}


class LazyRole:
    """Stands in for a role implementation, importing it when anything but `version` is asked for."""

    def __init__(self, module: str, cls: str, version: str) -> None:
        self._where = (module, cls)
        self._impl: Any = None
        self.version = version

    def load(self) -> Any:
        if self._impl is None:
            module, cls = self._where
            impl = getattr(import_module(f"{__name__}.{module}"), cls)()
            if getattr(impl, "version", None) != self.version:
                raise RuntimeError(f"{cls}.version is {impl.version!r} but engines/local/__init__.py "
                                   f"says {self.version!r}; update ROLES there")
            self._impl = impl
        return self._impl

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_where", "_impl"):
            raise AttributeError(name)  # copy/pickle probes, and attributes not yet set
        return getattr(self.load(), name)

    def __repr__(self) -> str:
        return f"LazyRole({'.'.join(self._where)})"


def local_engine(settings: Settings | None = None) -> Engine:
    return Engine(name="local", **{role: LazyRole(*where) for role, where in ROLES.items()})
