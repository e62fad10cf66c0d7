"""The offline engine: every role runs on the CPU with no key and no download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import Engine
from .analyzer import LocalAnalyzer
from .describer import TemplateDescriber
from .recontexter import LocalRecontexter
from .stylizer import LocalStylizer

if TYPE_CHECKING:
    from ...config import Settings


def local_engine(settings: Settings | None = None) -> Engine:
    return Engine(
        name="local",
        analyzer=LocalAnalyzer(),
        stylizer=LocalStylizer(),
        recontexter=LocalRecontexter(),
        describer=TemplateDescriber(),
    )
