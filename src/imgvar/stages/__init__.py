"""Pipeline stages: analyze → matte → edit (cloud) → remove → add_object → recontext → stylize → postprocess → describe."""

from .add_object import AddObjectStage
from .analyze import AnalyzeStage
from .describe import DescribeStage
from .edit import EditStage
from .matte import MatteStage
from .postprocess import PostprocessStage
from .recontext import RecontextStage
from .remove import RemoveStage
from .stylize import StylizeStage

__all__ = ["AddObjectStage", "AnalyzeStage", "DescribeStage", "EditStage", "MatteStage", "PostprocessStage", "RecontextStage", "RemoveStage",
           "StylizeStage"]
