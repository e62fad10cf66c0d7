"""Pipeline stages: analyze → matte → edit (cloud) → recontext → stylize → postprocess → describe."""

from .analyze import AnalyzeStage
from .describe import DescribeStage
from .edit import EditStage
from .matte import MatteStage
from .postprocess import PostprocessStage
from .recontext import RecontextStage
from .stylize import StylizeStage

__all__ = ["AnalyzeStage", "DescribeStage", "EditStage", "MatteStage", "PostprocessStage", "RecontextStage", "StylizeStage"]
