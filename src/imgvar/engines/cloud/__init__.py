"""Cloud engines: OpenAI and Azure OpenAI, one text call and at most one image call per run."""

from .engine import CloudContext, cloud_engine

__all__ = ["CloudContext", "cloud_engine"]
