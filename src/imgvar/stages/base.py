"""The state every stage reads and writes, and the contract a stage fulfils.

A stage declares which engine role it uses, the parameters and input digests
that determine its output (these form its cache key), how to compute the
output, and how to fold an output (fresh or from the store) into the state.
Outputs are an optional image plus JSON data, so any stage can be cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from ..config import Settings
    from ..engines.base import Change
    from ..imageio import ImageFacts, LoadedImage
    from ..plan import Plan


@dataclass
class State:
    source: LoadedImage
    facts: ImageFacts
    prompt: str
    settings: Settings
    plan: Plan | None = None
    image: Image.Image | None = None  # the working image, updated by each image stage
    image_digest: str = ""
    changes: list[Change] = field(default_factory=list)
    output_prompt: str | None = None
    background: LoadedImage | None = None
    mask: Image.Image | None = None
    mask_digest: str | None = None
    style_image: LoadedImage | None = None
    object_image: LoadedImage | None = None  # --object: an object to add where the prompt says
    placement: dict[str, Any] = field(default_factory=dict)  # --at and --scale
    wants_matte: bool = False  # find the subject even when no task needs it (`imgvar cutout`)
    matte: dict[str, Any] | None = None  # how the subject was found: engine, confidence, notes
    clip: Any = None  # the command's ClipFeatures (set by the api); None: no CLIP at all
    candidates: list[dict[str, Any]] | None = None  # --candidates: each one's CLIP scores and which was kept

    def __post_init__(self) -> None:
        if self.image is None:
            self.image = self.source.image
            self.image_digest = self.source.digest

    def subject_matte(self) -> Image.Image | None:
        """The subject's matte (white = subject): the --mask or the automatic one, else the image's own
        alpha when it cuts something out; None when there is neither."""
        if self.mask is not None:
            return self.mask
        from ..matte import own_alpha

        return own_alpha(self.source.image)


@dataclass
class StageOutput:
    image: Image.Image | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageReport:
    name: str
    engine: str
    engine_version: str
    key: str
    params: dict[str, Any]
    cache_hit: bool
    seconds: float
    output_digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "engine": self.engine, "engine_version": self.engine_version,
            "key": self.key, "params": self.params, "cache_hit": self.cache_hit,
            "seconds": round(self.seconds, 4), "output_digest": self.output_digest,
        }


def answered(state: State, kind: str) -> bool:
    """Whether an earlier stage already made a change of this kind (a cloud edit covers several)."""
    return any(c.kind == kind and c.applied for c in state.changes)


class Stage:
    """Base class; subclasses set `name`, `role` and override the hooks."""

    name: str = "stage"
    role: str | None = None  # engine role it calls; None for stages that are library code only
    version: str = "1"  # used in the cache key when `role` is None
    makes_working_image: bool = True  # False: its image output is kept aside by `apply`, not worked on

    def applies(self, state: State) -> bool:
        return True

    def skip_reason(self, state: State, impl: Any) -> Change | None:
        """A not-applied change when this engine cannot do the task with what it was given."""
        return None

    def params(self, state: State) -> dict[str, Any]:
        return {}

    def inputs(self, state: State) -> dict[str, str]:
        return {"image": state.image_digest}

    def execute(self, state: State, impl: Any) -> StageOutput:
        raise NotImplementedError

    def apply(self, state: State, output: StageOutput) -> None:
        raise NotImplementedError
