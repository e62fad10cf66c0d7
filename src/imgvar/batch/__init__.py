"""`imgvar batch`: many images in one process, from a manifest or a glob.

manifest.py reads and checks the rows; runner.py runs them (in parallel, with a shared
budget, resumable through the store); sheet.py draws the contact sheet.
"""

from __future__ import annotations

from .manifest import Item, ManifestError, glob_items, read_manifest
from .runner import BatchSummary, ItemResult, run_batch

__all__ = ["BatchSummary", "Item", "ItemResult", "ManifestError", "glob_items", "read_manifest", "run_batch"]
