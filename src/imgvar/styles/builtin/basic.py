"""Three general presets: painterly, pencil sketch and poster."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageEnhance, ImageFilter, ImageOps

from ..registry import StylePreset, register

if TYPE_CHECKING:
    import numpy as np


def _odd(n: float) -> int:
    k = max(3, int(round(n)))
    return k if k % 2 else k + 1


def _stroke_size(image: Image.Image, detail: float) -> float:
    # Strokes scale with the image so a 4 MP photo does not look finer than a thumbnail.
    return max(image.size) / 180.0 * detail


def painterly(image: Image.Image, detail: float, rng: np.random.Generator) -> Image.Image:
    """Flattened paint patches with saturated colour and a light canvas relief."""
    size = _stroke_size(image, detail)
    small = image.reduce(2) if min(image.size) > 400 else image
    paint = small.filter(ImageFilter.ModeFilter(_odd(size * 0.6))).filter(ImageFilter.MedianFilter(_odd(size * 0.5)))
    paint = paint.resize(image.size, Image.Resampling.BICUBIC)
    paint = ImageEnhance.Color(paint).enhance(1.45)
    paint = ImageEnhance.Contrast(paint).enhance(1.1)
    relief = paint.convert("L").filter(ImageFilter.EMBOSS).convert("RGB")
    return ImageChops.overlay(paint, relief)


def pencil(image: Image.Image, detail: float, rng: np.random.Generator) -> Image.Image:
    """Colour-dodge of the inverted blurred grey image: graphite lines on white paper."""
    import numpy as np

    gray = ImageOps.grayscale(image)
    blurred = ImageOps.invert(gray).filter(ImageFilter.GaussianBlur(max(1.0, _stroke_size(image, detail) * 0.8)))
    g = np.asarray(gray, dtype=np.float32)
    b = np.asarray(blurred, dtype=np.float32)
    dodge = np.clip(g * 255.0 / np.maximum(255.0 - b, 1.0), 0, 255)
    grain = rng.normal(0.0, 6.0, size=dodge.shape).astype(np.float32)
    sketch = np.clip(dodge + grain * (dodge < 250), 0, 255).astype(np.uint8)
    return Image.fromarray(sketch, "L").convert("RGB")


def poster(image: Image.Image, detail: float, rng: np.random.Generator) -> Image.Image:
    """Few flat, saturated colours with dark outlines, like a screen-printed poster."""
    flat = image.filter(ImageFilter.MedianFilter(_odd(_stroke_size(image, detail) * 0.4)))
    flat = ImageOps.posterize(ImageEnhance.Color(flat).enhance(1.8), 2)
    edges = ImageOps.invert(image.convert("L").filter(ImageFilter.FIND_EDGES)).point(lambda v: 0 if v < 200 else 255)
    return ImageChops.multiply(flat, edges.convert("RGB"))


register(StylePreset(
    "painterly", "flattened paint patches, saturated colour and canvas relief",
    "as a painting with flattened paint patches and saturated colour", painterly,
    aliases=("painting", "painterly", "paint", "oil", "oil painting", "peinture", "tableau",
             "van gogh", "monet", "impressionism", "impressionist", "impressionnisme", "impressionniste"),
))
register(StylePreset(
    "pencil", "graphite pencil sketch on white paper",
    "as a graphite pencil sketch", pencil,
    aliases=("pencil", "pencil sketch", "sketch", "drawing", "graphite", "crayon", "croquis", "dessin", "esquisse"),
))
register(StylePreset(
    "poster", "flat posterised colours with dark outlines",
    "as a flat-colour poster with dark outlines", poster,
    aliases=("poster", "pop art", "warhol", "affiche", "posterize"),
))
