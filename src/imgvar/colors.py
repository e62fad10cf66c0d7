"""Colour handling: every Pillow mode to 8-bit RGB(A), and the dominant
colours of an image, each with a plain-English name.

The names feed prompts and image facts ("a mostly sky blue and sand photo"),
so the table favours words people use over precise paint names.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

THUMBNAIL_SIZE = 64
_HIGH_DEPTH_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")

# (name, sRGB hex). Several entries per hue family so that the nearest match
# in Lab reads naturally for both saturated and muted colours.
NAMED_COLORS: tuple[tuple[str, str], ...] = (
    ("black", "#000000"),
    ("charcoal", "#333333"),
    ("slate", "#4a5868"),
    ("dark gray", "#505050"),
    ("gray", "#808080"),
    ("silver", "#c0c0c0"),
    ("white", "#ffffff"),
    ("cream", "#fffdd0"),
    ("beige", "#e8dcc0"),
    ("sand", "#c2b280"),
    ("tan", "#d2b48c"),
    ("taupe", "#8b7b6e"),
    ("light brown", "#a67b5b"),
    ("brown", "#8b4513"),
    ("dark brown", "#4a2c17"),
    ("rust", "#a0461e"),
    ("maroon", "#800000"),
    ("red", "#ff0000"),
    ("crimson", "#b0182f"),
    ("coral", "#ff7f50"),
    ("orange", "#ff8c00"),
    ("peach", "#ffcba4"),
    ("gold", "#dcb432"),
    ("yellow", "#ffff00"),
    ("olive", "#808000"),
    ("lime", "#7fff00"),
    ("green", "#00a000"),
    ("forest green", "#228b22"),
    ("dark green", "#0b3d0b"),
    ("mint", "#98ff98"),
    ("teal", "#008080"),
    ("turquoise", "#40e0d0"),
    ("sky blue", "#87ceeb"),
    ("steel blue", "#4682b4"),
    ("blue", "#0000ff"),
    ("navy", "#000080"),
    ("lavender", "#b57edc"),
    ("purple", "#800080"),
    ("magenta", "#ff00ff"),
    ("pink", "#ffc0cb"),
    ("dusty rose", "#b7847c"),
    ("hot pink", "#ff69b4"),
)


def _high_depth_to_l(image: Image.Image) -> Image.Image:
    """16/32-bit and float greyscale scaled into 0..255, never clipped to white."""
    import numpy as np

    values = np.asarray(image).astype(np.float32)
    if image.mode == "F":
        values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
        top = max(1.0, float(values.max(initial=0.0)))  # 0..1 floats map to 0..255
    elif image.mode == "I":
        # Mode "I" often carries 8- or 16-bit data; use the smallest range that holds it.
        peak = float(values.max(initial=0.0))
        top = 255.0 if peak <= 255 else 65535.0 if peak <= 65535 else float(2**31 - 1)
    else:
        top = 65535.0  # I;16*: the same as dividing by 257
    scaled = np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled)


def _through_icc_profile(image: Image.Image) -> Image.Image | None:
    icc = image.info.get("icc_profile")
    if not icc:
        return None
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without littlecms
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None  # a broken profile: the plain formula still gives a picture


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    """Through the embedded profile when there is one: the plain formula is
    far off for print-oriented CMYK."""
    converted = _through_icc_profile(image) or image.convert("RGB")
    converted.info.pop("icc_profile", None)  # the pixels are no longer CMYK
    return converted


def to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """Any Pillow mode as "RGB", or "RGBA" when some pixel is not fully opaque."""
    mode = image.mode
    if mode in _HIGH_DEPTH_MODES:
        converted = _high_depth_to_l(image).convert("RGB")
    elif mode == "CMYK":
        converted = _cmyk_to_rgb(image)
    elif mode in ("RGBA", "LA", "PA", "RGBa", "La") or image.has_transparency_data:
        converted = image if mode == "RGBA" else image.convert("RGBA")
    else:
        converted = image if mode == "RGB" else image.convert("RGB")
    if converted.mode == "RGBA" and converted.getchannel("A").getextrema()[0] == 255:
        converted = converted.convert("RGB")  # fully opaque: no fake alpha
    return converted


@dataclass
class ColorShare:
    hex: str  # "#rrggbb"
    name: str
    share: float  # fraction of visible pixels, 0..1

    def to_dict(self) -> dict[str, object]:
        return {"hex": self.hex, "name": self.name, "share": round(self.share, 3)}


def _linear(channel: float) -> float:
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB (D65) to CIE L*a*b*, so colour distances follow perception."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@lru_cache(maxsize=1)
def _named_labs() -> tuple[tuple[str, tuple[float, float, float]], ...]:
    return tuple((name, rgb_to_lab(hex_to_rgb(code))) for name, code in NAMED_COLORS)


def _delta_e94(lab: tuple[float, float, float], ref: tuple[float, float, float]) -> float:
    """Squared CIE94-style distance: unlike plain Lab distance it forgives
    chroma differences among saturated colours, where the eye is least
    sensitive."""
    chroma_a, chroma_b = math.hypot(lab[1], lab[2]), math.hypot(ref[1], ref[2])
    chroma = (chroma_a + chroma_b) / 2  # symmetric, so vivid entries do not swallow muted colours
    d_l = lab[0] - ref[0]
    d_c = chroma_a - chroma_b
    d_h2 = max(0.0, (lab[1] - ref[1]) ** 2 + (lab[2] - ref[2]) ** 2 - d_c**2)
    return d_l**2 + (d_c / (1 + 0.045 * chroma)) ** 2 + d_h2 / (1 + 0.015 * chroma) ** 2


def color_name(rgb: tuple[int, int, int]) -> str:
    """The table name nearest to `rgb`."""
    lab = rgb_to_lab(rgb)
    return min(_named_labs(), key=lambda entry: _delta_e94(lab, entry[1]))[0]


def _visible_pixels(image: Image.Image) -> Image.Image | None:
    """A 1-row RGB image of the pixels that are not fully transparent."""
    small = image.copy()
    # BOX averages whole source blocks: cheap, and invents fewer edge colours.
    small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BOX)
    rgba = small.convert("RGBA")
    # Pillow alone (no numpy): this runs on every command, cache hits included.
    if rgba.getextrema()[3][0] > 0:
        return Image.frombytes("RGB", (rgba.width * rgba.height, 1), rgba.convert("RGB").tobytes())
    raw = rgba.tobytes()
    visible = b"".join(raw[i:i + 3] for i in range(0, len(raw), 4) if raw[i + 3])
    if not visible:
        return None
    return Image.frombytes("RGB", (len(visible) // 3, 1), visible)


def dominant_colors(image: Image.Image, n: int = 5) -> list[ColorShare]:
    """Up to `n` most common colours (median cut), largest share first; the
    shares of visible pixels sum to 1."""
    if n < 1:
        return []
    pixels = _visible_pixels(image)
    if pixels is None:
        return []
    quantized = pixels.quantize(colors=min(n, 256), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = quantized.getpalette() or []
    total = pixels.width
    counts: dict[tuple[int, int, int], int] = {}
    for count, index in quantized.getcolors(maxcolors=256) or []:
        rgb = (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2])
        counts[rgb] = counts.get(rgb, 0) + count  # palettes may repeat an entry
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    # Clusters sharing a name read as one colour ("black, black, black" says
    # nothing); the largest cluster's hex stands for the merged group.
    merged: dict[str, ColorShare] = {}
    for rgb, count in ranked:
        name = color_name(rgb)
        if name in merged:
            merged[name].share += count / total
        else:
            merged[name] = ColorShare(rgb_to_hex(rgb), name, count / total)
    return sorted(merged.values(), key=lambda color: -color.share)
