"""The small protocols every engine implements, one per pipeline role.

An engine is a named bundle of role implementations. A cloud engine may fill
only some roles (a text model analyses and describes, an image model edits);
the pipeline falls back to the local engine for any role left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

    from ..imageio import ImageFacts
    from ..plan import Plan


@dataclass
class Change:
    """One thing a stage did (or could not do), for the output prompt and the run record."""

    kind: str  # the plan task kind it answers: style, recontext, adjust, ...
    summary: str  # short English phrase: "repainted in the manner of Van Gogh"
    applied: bool = True
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "summary": self.summary, "applied": self.applied, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(data["kind"], data["summary"], bool(data.get("applied", True)), dict(data.get("detail") or {}))


@dataclass
class StyleRequest:
    style: str  # a preset name or a style phrase from the prompt ("van gogh", "aquarelle")
    strength: float = 1.0
    detail: float = 1.0
    seed: int = 0
    style_image: Image.Image | None = None
    style_image_name: str | None = None  # how the output prompt names the reference image
    time_budget: float = 60.0  # seconds, for reference-image transfer

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"style": self.style, "strength": round(self.strength, 4),
                                  "detail": round(self.detail, 4), "seed": self.seed}
        if self.style_image is not None:
            params["time_budget"] = self.time_budget
        return params


@dataclass
class StyleOutcome:
    image: Image.Image
    change: Change


@dataclass
class RecontextRequest:
    setting: str  # "a beach at sunset"
    subject: str | None = None
    background: Image.Image | None = None
    mask: Image.Image | None = None  # mode "L", subject = white; None means use the image's alpha
    harmonize: float = 0.5
    feather: float = 1.5
    shadow: float = 0.35
    seed: int = 0
    placement_text: str = ""  # the prompt, for position and size words ("small, on the left")
    at: tuple[float, float] | None = None  # the subject's bottom-centre, fractions of the frame
    scale: float | None = None  # the subject's height as a fraction of the frame's

    def params(self) -> dict[str, Any]:
        return {"setting": self.setting, "subject": self.subject, "harmonize": round(self.harmonize, 4),
                "feather": round(self.feather, 4), "shadow": round(self.shadow, 4), "seed": self.seed,
                "placement_text": self.placement_text, "at": list(self.at) if self.at else None,
                "scale": self.scale}


@dataclass
class RecontextOutcome:
    image: Image.Image
    change: Change


@dataclass
class AddObjectRequest:
    """One object image to put into the picture where the prompt says ("a hat on the dog")."""

    object_name: str  # "a hat"
    where: str | None  # "on the dog", "in the sky", None
    object_image: Image.Image
    object_matte: Image.Image  # mode "L", the object = white
    subject_matte: Image.Image | None = None  # the picture's own subject, the anchor of "on the dog"
    harmonize: float = 0.5
    feather: float = 1.5
    shadow: float = 0.35
    seed: int = 0
    placement_text: str = ""

    def params(self) -> dict[str, Any]:
        return {"object": self.object_name, "where": self.where, "harmonize": round(self.harmonize, 4),
                "feather": round(self.feather, 4), "shadow": round(self.shadow, 4), "seed": self.seed,
                "placement_text": self.placement_text}


@dataclass
class AddObjectOutcome:
    image: Image.Image  # RGB, the picture's size
    matte: Image.Image  # L, where the object now is
    change: Change


@dataclass
class RemoveRequest:
    """What to take out of the picture ("the fence"), and where it is: a mask the user drew."""

    object_name: str
    where: str | None
    mask: Image.Image  # mode "L", what goes = white

    def params(self) -> dict[str, Any]:
        return {"object": self.object_name, "where": self.where}


@dataclass
class RemoveOutcome:
    image: Image.Image
    change: Change


@dataclass
class EditRequest:
    """Every task of a plan that one image-model call should make, in one prompt.

    A cloud engine answers style, recontext, add_object and recolor tasks in a
    single edit; `mask` (mode "L", subject = white) keeps the subject and lets
    the model repaint everything else.
    """

    prompt: str  # the user's words
    language: str
    tasks: list[Any]  # plan SubTasks
    mask: Image.Image | None = None
    style_image: Image.Image | None = None
    style_image_name: str | None = None
    background: Image.Image | None = None
    quality: str = "medium"
    size: str = "auto"
    input_fidelity: str = "low"
    output_format: str = "png"

    def params(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "language": self.language,
                "tasks": [{"kind": t.kind, "text": t.text, "args": t.args} for t in self.tasks],
                "masked": self.mask is not None, "quality": self.quality, "size": self.size,
                "input_fidelity": self.input_fidelity, "output_format": self.output_format}


@dataclass
class EditOutcome:
    image: Image.Image
    changes: list[Change]


@runtime_checkable
class Analyzer(Protocol):
    version: str

    def analyze(self, prompt: str, image: Image.Image, facts: ImageFacts) -> Plan: ...


@runtime_checkable
class Stylizer(Protocol):
    version: str

    def stylize(self, image: Image.Image, request: StyleRequest) -> StyleOutcome: ...


@runtime_checkable
class Recontexter(Protocol):
    version: str

    def recontext(self, image: Image.Image, request: RecontextRequest) -> RecontextOutcome: ...


@runtime_checkable
class ObjectAdder(Protocol):
    version: str

    def add(self, image: Image.Image, request: AddObjectRequest) -> AddObjectOutcome: ...


@runtime_checkable
class Remover(Protocol):
    version: str

    def remove(self, image: Image.Image, request: RemoveRequest) -> RemoveOutcome: ...


@runtime_checkable
class Editor(Protocol):
    """One image-model call for all the plan's edits (cloud engines); `kinds` are the task kinds it makes."""

    version: str
    kinds: tuple[str, ...]

    def edit(self, image: Image.Image, request: EditRequest) -> EditOutcome: ...


@runtime_checkable
class Describer(Protocol):
    version: str

    def describe(self, plan: Plan, changes: list[Change]) -> str: ...


ROLES = ("analyzer", "editor", "stylizer", "recontexter", "adder", "remover", "describer")


@dataclass
class Engine:
    name: str
    analyzer: Analyzer | None = None
    stylizer: Stylizer | None = None
    recontexter: Recontexter | None = None
    adder: ObjectAdder | None = None
    remover: Remover | None = None
    describer: Describer | None = None
    editor: Editor | None = None
    # Paid engines account for their calls here (a CallMeter); None for free ones.
    meter: Any = None

    def role(self, role: str) -> Any:
        if role not in ROLES:
            raise KeyError(role)
        return getattr(self, role)
