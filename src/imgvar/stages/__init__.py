"""Pipeline stages: analyze → recontext → stylize → postprocess → describe."""

from .analyze import AnalyzeStage
from .describe import DescribeStage
from .postprocess import PostprocessStage
from .recontext import RecontextStage
from .stylize import StylizeStage

__all__ = ["AnalyzeStage", "DescribeStage", "PostprocessStage", "RecontextStage", "StylizeStage"]
