"""The store's format for intermediate images: raw pixels behind a one-line header.

A stage's image is written once and read back only by a later run of the same
inputs, so it is kept uncompressed: no encoder on the way in, no decoder on the
way out. The bytes are exactly what `imageio.pixel_digest` hashes,
`b"RGB 640x480\\n"` followed by the pixels, so the blob's sha256 (verified by
the store on every read) is the image's pixel digest: one hash serves as both.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

FORMAT = "raw"
_BANDS = {"RGB": 3, "RGBA": 4, "L": 1}
_HEADER_RE = re.compile(rb"(RGBA|RGB|L) (\d{1,6})x(\d{1,6})\n")
_MAX_HEADER = 20


def encode_raw(image: Image.Image) -> tuple[bytes, str]:
    """The image's raw blob and its sha256, which equals `pixel_digest(image)`."""
    if image.mode not in _BANDS:
        raise ValueError(f"raw blobs hold {', '.join(_BANDS)} images, not {image.mode}")
    data = f"{image.mode} {image.width}x{image.height}\n".encode() + image.tobytes()
    return data, hashlib.sha256(data).hexdigest()


def decode_raw(data: bytes) -> Image.Image:
    """The image in a raw blob; ValueError if the header or the length is wrong."""
    from PIL import Image

    found = _HEADER_RE.match(data[:_MAX_HEADER])
    if found is None:
        raise ValueError("not a raw image blob")
    mode, width, height = found.group(1).decode(), int(found.group(2)), int(found.group(3))
    start = found.end()
    if width < 1 or height < 1 or len(data) - start != width * height * _BANDS[mode]:
        raise ValueError("raw image blob has the wrong length for its header")
    return Image.frombytes(mode, (width, height), memoryview(data)[start:])  # no 36 MB copy at 12 MP
