"""CLIP features with open_clip: what is in an image, how well image and text match.

`ClipFeatures` (features.py) is what the pipeline asks; `ClipSession` (session.py)
is one loaded model; weights.py finds and fetches the weights without ever
leaving a command waiting on the network; tags.py names what an image shows.
Nothing here imports torch or open_clip until a model is really needed.
"""

from __future__ import annotations

from .features import ClipFeatures, ClipUnavailable, best_candidate, directional

__all__ = ["ClipFeatures", "ClipUnavailable", "best_candidate", "directional"]
