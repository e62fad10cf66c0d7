"""Offline recontextualisation: the subject composited onto a given background.

The subject comes from a matte (the image's alpha channel or a user mask). The
compositing is what makes the result believable rather than pasted: the
background is cover-fitted, the matte edge is feathered, the subject's colour
statistics move toward the new scene, a soft contact shadow grounds it, and a
little background light wraps around its edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageFilter, ImageOps

from ...errors import UsageError
from ..base import Change, RecontextOutcome, RecontextRequest

if TYPE_CHECKING:
    import numpy as np


class LocalRecontexter:
    version = "composite-1"
    # It composites onto a given scene; it cannot invent one or find the subject itself.
    needs_background = True
    needs_matte = True

    def recontext(self, image: Image.Image, request: RecontextRequest) -> RecontextOutcome:
        if request.background is None:
            raise UsageError("the local engine needs --background IMAGE to place the subject in a new setting")
        matte = subject_matte(image, request.mask)
        result = composite(image.convert("RGB"), matte, request.background.convert("RGB"), request)
        from .describer import placement

        setting = request.setting or ""
        en = placement(request.subject, setting or "the new background", None, False)
        fr = placement(request.subject, setting or "le nouveau décor", None, True)
        return RecontextOutcome(result, Change(
            "recontext", en, True, {"setting": request.setting, "subject": request.subject, "summary_fr": fr},
        ))


def subject_matte(image: Image.Image, mask: Image.Image | None) -> Image.Image:
    """The subject's matte in mode L: the given mask, else the image's alpha channel."""
    if mask is not None:
        matte = mask.convert("L")
        if matte.size != image.size:
            matte = matte.resize(image.size, Image.Resampling.LANCZOS)
    elif image.mode == "RGBA":
        matte = image.getchannel("A")
    else:
        raise UsageError("the image has no transparent background to take the subject from; pass --mask FILE")
    lo, hi = matte.getextrema()
    if hi < 128:
        raise UsageError("the subject mask is empty (no pixel marks the subject)")
    if lo > 127:
        raise UsageError("the subject mask covers the whole image, so there is no background to replace")
    return matte


def cover_fit(background: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to cover `size`, then centre-crop: the new scene fills the frame without distortion."""
    return ImageOps.fit(background, size, Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def composite(fg: Image.Image, matte: Image.Image, background: Image.Image, request: RecontextRequest) -> Image.Image:
    import numpy as np

    bg = cover_fit(background, fg.size)
    side = max(fg.size) / 1000.0
    # Erode by a pixel first so the feather does not pull the old background's fringe in.
    alpha_img = matte.filter(ImageFilter.MinFilter(3))
    if request.feather > 0:
        alpha_img = alpha_img.filter(ImageFilter.GaussianBlur(max(0.5, request.feather * side)))
    alpha = np.asarray(alpha_img, dtype=np.float32)[..., None] / 255.0
    hard = np.asarray(matte, dtype=np.float32) / 255.0

    fg_arr = np.asarray(fg, dtype=np.float32) / 255.0
    bg_arr = np.asarray(bg, dtype=np.float32) / 255.0
    fg_arr = harmonise(fg_arr, hard > 0.5, bg_arr, request.harmonize)
    if request.shadow > 0:
        bg_arr = bg_arr * contact_shadow(matte, request.shadow, side)[..., None]
    fg_arr = light_wrap(fg_arr, bg_arr, alpha[..., 0], side)
    out = fg_arr * alpha + bg_arr * (1.0 - alpha)
    return Image.fromarray(np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8), "RGB")


def harmonise(fg: np.ndarray, subject: np.ndarray, bg: np.ndarray, amount: float) -> np.ndarray:
    """Move the subject's per-channel mean and contrast part of the way toward the background's."""
    import numpy as np

    if amount <= 0 or not subject.any():
        return fg
    fg_px = fg[subject]
    mu_f, sd_f = fg_px.mean(axis=0), fg_px.std(axis=0) + 1e-4
    mu_b, sd_b = bg.reshape(-1, 3).mean(axis=0), bg.reshape(-1, 3).std(axis=0) + 1e-4
    # Full matching would repaint the subject in the scene's colours; a partial
    # shift keeps its identity while matching the scene's light.
    target_mu = mu_f + (mu_b - mu_f) * amount * 0.5
    target_sd = sd_f * (sd_b / sd_f) ** (amount * 0.5)
    return np.clip((fg - mu_f) / sd_f * target_sd + target_mu, 0.0, 1.0)


def contact_shadow(matte: Image.Image, strength: float, side: float) -> np.ndarray:
    """A soft darkening just below the subject, as if it stood on the new ground."""
    import numpy as np

    w, h = matte.size
    squash = matte.resize((w, max(1, h // 6)), Image.Resampling.BILINEAR)
    shadow = Image.new("L", (w, h), 0)
    bbox = matte.getbbox()
    bottom = bbox[3] if bbox else h
    shadow.paste(squash, (int(6 * side), bottom - squash.size[1] + int(4 * side)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2.0, 12 * side)))
    s = np.asarray(shadow, dtype=np.float32) / 255.0
    return 1.0 - strength * s


def light_wrap(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, side: float) -> np.ndarray:
    """Let a little blurred background light spill over the subject's edge."""
    import numpy as np

    bg_img = Image.fromarray((bg * 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(max(1.0, 6 * side)))
    blurred = np.asarray(bg_img, dtype=np.float32) / 255.0
    edge = np.clip(1.0 - alpha, 0, 1) * np.clip(alpha * 4.0, 0, 1)  # non-zero only near the edge
    return fg + (blurred - fg) * (edge[..., None] * 0.5)
