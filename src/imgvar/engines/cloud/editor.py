"""The one image call: all the plan's edits in a single `images.edit` (or one `images.generate`).

The input is downscaled to the size the model works at before upload; a
recontext edit sends a mask whose transparent pixels are everything but the
subject, and the subject's own pixels are put back afterwards unless the
image is also being restyled. A style reference or a background image goes
along as a second image.

A cut-out (a subject on a transparent background) has no setting to edit: the
new setting is a new element from nothing, so it is generated
(`images.generate`, no image upload) and the subject is composited into it
locally, pixel for pixel, with the offline engine's harmonised compositing.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import TYPE_CHECKING, Any

from ...errors import EngineError, UsageError
from ..base import Change, EditOutcome, EditRequest

if TYPE_CHECKING:
    from PIL import Image

    from .engine import CloudContext

CUTOUT_TRANSPARENT_SHARE = 0.2  # an image this much fully transparent is a cut-out
SIZES = {"1024x1024": (1024, 1024), "1536x1024": (1536, 1024), "1024x1536": (1024, 1536)}
REFERENCE_SIDE = 1024  # style and background references need no more


def choose_size(setting: str, image_size: tuple[int, int]) -> tuple[int, int]:
    """The output size for `cloud.size`: "auto" takes the standard size nearest the input's shape."""
    if setting in SIZES:
        return SIZES[setting]
    if setting != "auto":
        try:
            w, h = (int(v) for v in setting.lower().split("x"))
            return w, h
        except ValueError:
            raise UsageError(f"cloud.size '{setting}' is not WIDTHxHEIGHT or auto") from None
    w, h = image_size
    ratio = w / max(1, h)
    if ratio >= 1.25:
        return SIZES["1536x1024"]
    if ratio <= 0.8:
        return SIZES["1024x1536"]
    return SIZES["1024x1024"]


def fit_within(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """`image` scaled down (never up) to fit in `box`, keeping its shape."""
    from PIL import Image

    scale = min(1.0, box[0] / image.width, box[1] / image.height)
    if scale >= 1.0:
        return image
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.Resampling.LANCZOS)


UPLOAD_JPEG_QUALITY = 92


def upload(name: str, image: Image.Image) -> tuple[str, bytes, str]:
    """A named upload with its MIME type (bare bytes would go out as octet-stream and be refused).

    Pictures go as high-quality JPEG: the model redraws them anyway, tokens do not depend on bytes,
    and a photo's PNG is ten times larger. Masks (with alpha) go as PNG, as the API requires.
    """
    buf = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buf, "PNG", compress_level=6)
        return (f"{name}.png", buf.getvalue(), "image/png")
    image.convert("RGB").save(buf, "JPEG", quality=UPLOAD_JPEG_QUALITY)
    return (f"{name}.jpg", buf.getvalue(), "image/jpeg")


def edit_prompt(request: EditRequest) -> str:
    """One instruction for the image model covering every task, then the user's own words."""
    parts: list[str] = []
    restyle = False
    for task in request.tasks:
        a = task.args
        if task.kind == "style":
            restyle = True
            parts.append(f"Repaint the whole image in the style of {a.get('style') or task.text}, with that style's "
                         "brushwork, palette and texture, keeping the composition and the subject recognisable.")
        elif task.kind == "recontext":
            subject = a.get("subject") or "the main subject"
            keep = "its identity, pose and proportions" if restyle else "its identity, pose, colours and details"
            parts.append(f"Keep {subject} exactly as it is ({keep}) and replace everything around it with "
                         f"{a.get('setting') or task.text}, with matching light, perspective and a natural contact "
                         "shadow.")
        elif task.kind == "add_object":
            where = f" {a['where']}" if a.get("where") else ""
            parts.append(f"Add {a.get('object') or task.text}{where}, lit and scaled to fit the scene.")
        elif task.kind == "recolor":
            target = a.get("target") or "the image"
            parts.append(f"Make {target} {a.get('color')}, changing nothing else.")
        elif task.kind == "remove_object":
            where = f" {a['where']}" if a.get("where") else ""
            parts.append(f"Remove {a.get('object') or task.text}{where} and fill its place with what would be "
                         "behind it, matching the surrounding texture and light.")
        elif task.kind == "replace_object":
            new = a.get("replacement") or "something else that fits the scene"
            parts.append(f"Replace {a.get('target') or 'the main subject'} with {new}, in the same place, "
                         "scale and light.")
        elif task.kind == "move":
            parts.append(f"Move {a.get('object') or 'the object'} {a.get('where') or ''}".rstrip()
                         + ", filling the place it leaves with what would be behind it.")
    if request.style_image is not None:
        parts.append("Repaint the first image in the style of the second image (its palette, brushwork and "
                     "texture), keeping the first image's composition and subject.")
    elif request.background is not None:
        parts.append("Use the second image as the new surroundings.")
    parts.append(f'The request was: "{request.prompt}".')
    return " ".join(parts)


def generates(image: Image.Image, request: EditRequest) -> bool:
    """Whether the plan needs a new element from nothing: a new setting for a cut-out, and nothing else."""
    if [t.kind for t in request.tasks] != ["recontext"] or request.style_image is not None:
        return False
    if request.background is not None or image.mode != "RGBA":
        return False
    alpha = image.getchannel("A")
    transparent = alpha.histogram()[0]
    return transparent >= CUTOUT_TRANSPARENT_SHARE * image.width * image.height


def generate_prompt(request: EditRequest) -> str:
    task = next(t for t in request.tasks if t.kind == "recontext")
    subject = task.args.get("subject") or "the subject"
    setting = task.args.get("setting") or task.text
    return (f"A photograph of {setting}, seen at eye level, with open ground in the middle of the frame where "
            f"{subject} will be placed; natural, consistent light. The request was: \"{request.prompt}\".")


class CloudEditor:
    paid = True
    kinds = ("style", "recontext", "add_object", "recolor", "remove_object", "replace_object", "move")

    def __init__(self, ctx: CloudContext) -> None:
        self.ctx = ctx
        self.version = f"{ctx.provider.name}:{ctx.provider.image_model}:edit-1"

    def _uploads(self, image: Image.Image, request: EditRequest) -> tuple[tuple[int, int], list, Any]:
        from PIL import Image

        size = choose_size(request.size, image.size)
        base = fit_within(image.convert("RGB"), size)
        images = [upload("image", base)]
        for name, extra in (("style", request.style_image), ("background", request.background)):
            if extra is not None:
                images.append(upload(name, fit_within(extra.convert("RGB"), (REFERENCE_SIDE, REFERENCE_SIDE))))
                break  # one reference: a style image wins over a background
        mask = None
        if request.mask is not None:
            # Transparent = may change: everything but the subject (white in the matte).
            alpha = request.mask.convert("L").resize(base.size, Image.Resampling.BILINEAR)
            rgba = Image.new("RGBA", base.size, (0, 0, 0, 0))
            rgba.putalpha(alpha)
            mask = upload("mask", rgba)
        return size, images, mask

    def estimate(self, image: Image.Image, request: EditRequest, uploads: list | None = None):
        from PIL import Image as PILImage

        from ...cost import estimate_image_call

        p = self.ctx.provider
        size = choose_size(request.size, image.size)
        if generates(image, request):
            prompt_chars, sizes = len(generate_prompt(request)), []
        else:
            images = uploads if uploads is not None else self._uploads(image, request)[1]
            prompt_chars = len(edit_prompt(request))
            sizes = [PILImage.open(io.BytesIO(data)).size for _, data, _ in images]
        estimate = estimate_image_call(self.ctx.prices, p.name, p.image_model, quality=request.quality, size=size,
                                       prompt_chars=prompt_chars, input_images=sizes,
                                       input_fidelity=self._fidelity(request) or "low")
        estimate.needs_key = p.missing.needs if p.missing else None
        return estimate

    def _fidelity(self, request: EditRequest) -> str | None:
        """The input_fidelity to send; None for a model that takes none (its price entry says so)."""
        takes_it = self.ctx.prices.price(self.ctx.provider.image_model).input_fidelity
        return request.input_fidelity if takes_it else None

    def edit(self, image: Image.Image, request: EditRequest) -> EditOutcome:
        from PIL import Image as PILImage

        if generates(image, request):
            return self._generate_setting(image, request)
        ctx = self.ctx
        p = ctx.provider
        size, images, mask = self._uploads(image, request)
        prompt = edit_prompt(request)
        estimate = self.estimate(image, request, images)
        kwargs: dict[str, Any] = {
            "model": p.image_target, "image": images if len(images) > 1 else images[0], "prompt": prompt,
            "size": f"{size[0]}x{size[1]}", "quality": request.quality, "n": 1,
            "output_format": "png" if (p.name == "azure" and request.output_format == "webp") else request.output_format,
        }
        fidelity = self._fidelity(request)
        if fidelity is not None:
            kwargs["input_fidelity"] = fidelity
        if mask is not None:
            kwargs["mask"] = mask
        client = ctx.client().with_options(timeout=float(ctx.settings["cloud.timeout"]))
        response = ctx.meter.send(estimate, lambda: client.images.edit(**kwargs))
        edited = _decode_first(response, p.label)
        result = edited.convert("RGB").resize(image.size, PILImage.Resampling.LANCZOS)
        restyled = request.style_image is not None or any(t.kind == "style" for t in request.tasks)
        if request.mask is not None and not restyled:
            # The subject stays pixel for pixel the original's.
            matte = request.mask.convert("L").resize(image.size, PILImage.Resampling.BILINEAR)
            result = PILImage.composite(image.convert("RGB"), result, matte)
        return EditOutcome(result, self._changes(request))

    def _generate_setting(self, image: Image.Image, request: EditRequest) -> EditOutcome:
        """A generated scene for a cut-out, with the subject composited in locally."""
        from PIL import Image as PILImage
        from PIL import ImageOps

        from ..base import RecontextRequest
        from ..local.recontexter import LocalRecontexter

        ctx = self.ctx
        p = ctx.provider
        size = choose_size(request.size, image.size)
        kwargs: dict[str, Any] = {
            "model": p.image_target, "prompt": generate_prompt(request), "size": f"{size[0]}x{size[1]}",
            "quality": request.quality, "n": 1,
            "output_format": "png" if (p.name == "azure" and request.output_format == "webp") else request.output_format,
        }
        client = ctx.client().with_options(timeout=float(ctx.settings["cloud.timeout"]))
        response = ctx.meter.send(self.estimate(image, request), lambda: client.images.generate(**kwargs))
        # The generated size is only the nearest the API offers; the result keeps the original's frame.
        scene = ImageOps.fit(_decode_first(response, p.label).convert("RGB"), image.size, PILImage.Resampling.LANCZOS)
        task = next(t for t in request.tasks if t.kind == "recontext")
        settings = ctx.settings
        local = LocalRecontexter().recontext(image, RecontextRequest(
            setting=task.args.get("setting") or task.text, subject=task.args.get("subject"), background=scene,
            mask=request.mask, harmonize=float(settings["recontext.harmonize"]),
            feather=float(settings["recontext.feather"]), shadow=float(settings["recontext.shadow"]),
            seed=int(settings["seed"])))
        change = local.change
        change.detail.update({"engine": p.name, "model": p.image_model, "generated_setting": True})
        return EditOutcome(local.image, [change])

    def _changes(self, request: EditRequest) -> list[Change]:
        p = self.ctx.provider
        detail = {"engine": p.name, "model": p.image_model}
        changes = []
        for task in request.tasks:
            a = task.args
            if task.kind == "style":
                en, fr = f"repainted in the style of {a.get('style')}", f"repeinte dans le style {a.get('style')}"
            elif task.kind == "recontext":
                subject = a.get("subject") or "the subject"
                en = f"{subject} placed in {a.get('setting')}"
                fr = f"{a.get('subject') or 'le sujet'} placé dans {a.get('setting')}"
            elif task.kind == "add_object":
                en, fr = f"with {a.get('object')} added", f"avec {a.get('object')} ajouté"
            elif task.kind == "remove_object":
                en, fr = f"with {a.get('object')} removed", f"sans {a.get('object')}"
            elif task.kind == "replace_object":
                new = a.get("replacement") or "something else"
                en = f"with {a.get('target') or 'the subject'} replaced by {new}"
                fr = f"avec {a.get('target') or 'le sujet'} remplacé par {a.get('replacement') or 'autre chose'}"
            elif task.kind == "move":
                en = f"with {a.get('object')} moved {a.get('where') or ''}".rstrip()
                fr = f"avec {a.get('object')} déplacé {a.get('where') or ''}".rstrip()
            else:
                en = f"{a.get('target') or 'the image'} made {a.get('color')}"
                fr = f"{a.get('target') or 'l’image'} passée en {a.get('color')}"
            changes.append(Change(task.kind, en, True, {**detail, "summary_fr": fr}))
        if request.style_image is not None and not any(t.kind == "style" for t in request.tasks):
            name = request.style_image_name or "the reference image"
            changes.append(Change("style", f"repainted in the style of {name}", True,
                                  {**detail, "summary_fr": f"repeinte dans le style de {name}"}))
        return changes


def _decode_first(response: Any, label: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        b64 = response.data[0].b64_json
        data = base64.b64decode(b64, validate=True)
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except (AttributeError, IndexError, TypeError, ValueError, binascii.Error, UnidentifiedImageError, OSError):
        raise EngineError(f"{label} returned no usable image") from None
