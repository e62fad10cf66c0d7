"""Reading, normalising, encoding and writing images.

Everything that touches image files goes through here so that every way an
input can be wrong ends as one `BadInputError` line naming the file, and every
image the rest of imgvar sees is plain 8-bit "RGB" or "RGBA".
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import re
import stat
import struct
import sys
import tempfile
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from .colors import ColorShare, dominant_colors, to_rgb_or_rgba
from .errors import BadInputError, OutputError, UsageError

__all__ = [
    "DEFAULT_MAX_PIXELS", "ColorShare", "ImageFacts", "LoadedImage", "dominant_colors", "encode_image",
    "format_for_path", "image_facts", "load_image", "load_mask", "pixel_digest", "read_metadata",
    "read_source", "write_output",
]

DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's own default, about 89.5 MP
MAX_INPUT_BYTES = 1 << 30  # no image worth decoding is larger; bounds reads from pipes and devices
MASK_ASPECT_TOLERANCE = 0.01  # a mask within 1% of the image's aspect ratio is scaled to fit
STDIN_NAME = "<stdin>"
STDOUT_NAME = "<stdout>"

# Only these decoders are tried: fewer parsers exposed to untrusted bytes.
INPUT_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF")  # JPEG covers MPO too
OUTPUT_FORMATS = ("png", "jpeg", "webp", "tiff", "bmp")
EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp", ".tif": "tiff", ".tiff": "tiff",
              ".bmp": "bmp"}
_FORMAT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}

# What a damaged file can make Pillow's decoders raise.
_DECODE_ERRORS = (OSError, SyntaxError, EOFError, ValueError, IndexError, struct.error, zlib.error)
_EXIF_DESCRIPTION = 0x010E  # ImageDescription, where WEBP and TIFF outputs keep metadata
_EXIF_ORIENTATION = 0x0112
# EXIF orientation value -> the transpose that displays the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

log = logging.getLogger(__name__)


@dataclass
class LoadedImage:
    image: Image.Image  # "RGB" or "RGBA", EXIF orientation applied
    digest: str  # sha256 of the original file bytes
    source: str  # path as given, or "-" for stdin
    format: str  # "PNG", "JPEG", "WEBP", "TIFF", "BMP" or "GIF"
    original_mode: str  # mode as decoded, before conversion

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


# --- reading -----------------------------------------------------------------


def _is_dash(source: object) -> bool:
    return isinstance(source, str) and source == "-"


def _printable(name: str) -> str:
    """A file name as one printable line: undecodable bytes and control
    characters escaped, so an error about it is still one readable line."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _too_big(name: str) -> BadInputError:
    return BadInputError(f"{name}: larger than {MAX_INPUT_BYTES // 2**20:,} MiB; not read")


def _read_capped(stream: Any, name: str) -> bytes:
    """All of a stream, refusing one longer than MAX_INPUT_BYTES (a pipe or a device may never end)."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_big(name)
    return data


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise BadInputError(f"{STDIN_NAME}: standard input is not available")
    isatty = getattr(sys.stdin, "isatty", None)
    if callable(isatty) and isatty():
        # Reading would block on the keyboard; an image has to be piped in.
        raise BadInputError(f"{STDIN_NAME}: no image piped in (stdin is a terminal)")
    return _read_capped(stream, STDIN_NAME)


def read_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a file, or of stdin for "-", and the name to show for it.

    The name is returned as given (undecodable bytes kept as surrogates, so it
    still names the file); error messages show it escaped."""
    if _is_dash(source):
        return _read_stdin(), STDIN_NAME
    name = os.fsdecode(os.fspath(source))
    shown = _printable(name)
    if "\x00" in name:
        raise BadInputError(f"{shown}: file name contains a NUL byte")
    try:
        kind = os.stat(name)
    except OSError as exc:
        raise BadInputError(f"{shown}: {_describe_os_error(exc, 'cannot read')}") from None
    if stat.S_ISDIR(kind.st_mode):
        raise BadInputError(f"{shown}: is a directory")
    if stat.S_ISCHR(kind.st_mode) or stat.S_ISBLK(kind.st_mode) or stat.S_ISSOCK(kind.st_mode):
        # /dev/zero would never end and a terminal would wait for typing; pipes (FIFOs) are read.
        raise BadInputError(f"{shown}: not a regular file (a device or socket)")
    if stat.S_ISREG(kind.st_mode) and kind.st_size > MAX_INPUT_BYTES:
        raise _too_big(shown)
    try:
        with open(name, "rb") as handle:
            return _read_capped(handle, shown), name
    except OSError as exc:
        raise BadInputError(f"{shown}: {_describe_os_error(exc, 'cannot read')}") from None


def _describe_os_error(exc: OSError, action: str) -> str:
    known = {errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EISDIR: "is a directory",
             errno.ENOENT: "no such file", errno.ENOSPC: "no space left on device",
             errno.EROFS: "read-only file system", errno.ENAMETOOLONG: "file name too long",
             errno.ENOTDIR: "a parent in the path is not a directory", errno.ELOOP: "too many symbolic links"}
    return known.get(exc.errno or 0) or f"{action} ({exc.strerror or exc})"


def _pixel_counts(pixels: int, limit: int) -> tuple[str, str]:
    """Both counts in megapixels when that shows them apart, else as exact pixel counts."""
    big = (f"{pixels / 1e6:.1f} MP", f"{limit / 1e6:.1f} MP")
    if min(pixels, limit) >= 100_000 and big[0] != big[1]:
        return big
    return f"{pixels:,} pixels", f"{limit:,} pixels"


def _limit_message(name: str, pixels: int, limit: int, size: tuple[int, int] | None, what: str) -> str:
    dims = f"{size[0]}x{size[1]} = " if size else ""
    count, most = _pixel_counts(pixels, limit)
    return f"{name}: {dims}{count} exceeds {what} of {most}"


def _check_pixels(size: tuple[int, int], name: str, max_pixels: int) -> None:
    pixels = size[0] * size[1]
    if pixels > max_pixels:
        raise BadInputError(_limit_message(name, pixels, max_pixels, size, "the pixel limit") + " (image.max_pixels)")


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the header alone, past Pillow's bomb check,
    so a refusal can still name the dimensions."""
    Image.init()
    prefix = data[:16]
    for fmt in INPUT_FORMATS:
        factory, accept = Image.OPEN.get(fmt, (None, None))
        if factory is None or (accept is not None and not accept(prefix)):
            continue
        try:
            with factory(io.BytesIO(data), "") as probe:
                return probe.size
        except Exception:  # best effort: any failure just loses the dimensions
            continue
    return None


def _bomb_error(name: str, data: bytes, exc: Exception, max_pixels: int) -> BadInputError:
    with _pillow_warnings(name):
        size = _header_size(data)
    found = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = size[0] * size[1] if size else int(found.group(1)) if found else 0
    if pixels > max_pixels:
        return BadInputError(_limit_message(name, pixels, max_pixels, size, "the pixel limit") + " (image.max_pixels)")
    hard_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if not pixels:
        return BadInputError(f"{name}: too many pixels (over Pillow's decompression-bomb limit)")
    return BadInputError(_limit_message(name, pixels, hard_limit, size, "Pillow's decompression-bomb limit"))


def _corrupt_detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return "image file is truncated" if "truncated" in text else text


class _ToDebug(logging.Handler):
    """Pillow's own log records (e.g. a TIFF header it refuses), as imgvar debug lines."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.file = name

    def emit(self, record: logging.LogRecord) -> None:
        log.debug("%s: Pillow: %s", self.file, record.getMessage())


@contextmanager
def _pillow_warnings(name: str) -> Iterator[None]:
    """Pillow's warnings (corrupt EXIF, plugins that could not identify the
    file) and log records go to the debug log: the error or the picture says
    what matters."""
    pillow_log = logging.getLogger("PIL")
    handler, propagate = _ToDebug(name), pillow_log.propagate
    pillow_log.addHandler(handler)
    pillow_log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Our own limit decides; Pillow's warning threshold would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                yield
            finally:
                for message in dict.fromkeys(str(item.message).strip() for item in caught):
                    log.debug("%s: Pillow: %s", name, message)
    finally:
        pillow_log.removeHandler(handler)
        pillow_log.propagate = propagate


def _decode(data: bytes, name: str, max_pixels: int) -> tuple[Image.Image, str, str]:
    """Fully decoded, orientation-corrected first frame; its format and mode."""
    try:
        with _pillow_warnings(name), Image.open(io.BytesIO(data), formats=INPUT_FORMATS) as opened:
            _check_pixels(opened.size, name, max_pixels)  # before any pixel is decoded
            low_bytes = _low_byte_tile(opened)  # the tile is gone after load()
            opened.load()
            fmt = "JPEG" if opened.format == "MPO" else str(opened.format)
            keyed = _with_colour_key(opened, data, low_bytes) if "transparency" in opened.info else None
            return _orient(keyed if keyed is not None else opened, opened), fmt, opened.mode
    except Image.DecompressionBombError as exc:
        raise _bomb_error(name, data, exc, max_pixels) from None
    except UnidentifiedImageError:
        raise BadInputError(f"{name}: not an image (cannot identify image file)") from None
    except MemoryError:
        raise BadInputError(f"{name}: not enough memory to decode the image") from None
    except _DECODE_ERRORS as exc:
        stripped = _without_compressed_chunks(data) if "MAX_TEXT_CHUNK" in str(exc) else None
        if stripped is not None:
            # Oversized metadata should not cost the picture: decode without it.
            log.debug("%s: skipped a PNG text or ICC chunk over Pillow's size limit", name)
            return _decode(stripped, name, max_pixels)
        raise BadInputError(f"{name}: truncated or corrupt image ({_corrupt_detail(exc)})") from None


def _without_compressed_chunks(data: bytes) -> bytes | None:
    """The PNG without its zTXt, iTXt and iCCP chunks; None when it had none."""
    if data[:8] != _PNG_SIGNATURE:
        return None
    kept, pos, dropped = [data[:8]], 8, False
    while pos + 12 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        end = pos + 12 + length
        if data[pos + 4:pos + 8] in (b"zTXt", b"iTXt", b"iCCP"):
            dropped = True
        else:
            kept.append(data[pos:end])
        pos = end
    kept.append(data[pos:])
    return b"".join(kept) if dropped else None


def _orient(image: Image.Image, source: Image.Image | None = None) -> Image.Image:
    """`image` turned upright by the EXIF (or XMP) orientation of `source`;
    always a new image, never the opened file's (closed with the file)."""
    try:
        orientation = (source or image).getexif().get(_EXIF_ORIENTATION)
    except _DECODE_ERRORS + (KeyError, TypeError):
        orientation = None  # a damaged EXIF block should not cost the user the picture itself
    method = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    if method is not None:
        return image.transpose(method)
    return image.copy() if source is None or image is source else image


# --- colour-keyed (tRNS) transparency that Pillow leaves opaque ------------------


def _png_bit_depth(data: bytes) -> int | None:
    if data[:8] == _PNG_SIGNATURE and data[12:16] == b"IHDR" and len(data) > 24:
        return data[24]
    return None


def _low_byte_tile(opened: Image.Image) -> Any:
    """For 16-bit RGB PNG with a tRNS colour: the tile, to decode again for
    the low bytes Pillow drops (the key is a 16-bit colour)."""
    tile = list(getattr(opened, "tile", None) or [])
    if (opened.format == "PNG" and opened.mode == "RGB" and isinstance(opened.info.get("transparency"), tuple)
            and len(tile) == 1 and len(tile[0]) == 4 and tile[0][3] == "RGB;16B"):
        return tile[0]
    return None


def _low_bytes(data: bytes, tile: Any) -> Any:
    """The low byte of each 16-bit sample: the same zip stream unpacked as
    little-endian, so the unfiltering is identical and only the byte picked differs."""
    import numpy as np

    with Image.open(io.BytesIO(data), formats=("PNG",)) as again:
        codec, extents, offset, _ = tile
        again.tile = [tile._replace(args="RGB;16L") if hasattr(tile, "_replace") else (codec, extents, offset,
                                                                                      "RGB;16L")]
        again.load()
        return np.asarray(again).astype(np.uint16)


def _key_hits(image: Image.Image, data: bytes, tile: Any) -> Any:
    """Boolean array of the pixels equal to the tRNS key, where Pillow's own
    conversion would miss them; None where Pillow gets it right."""
    import numpy as np

    key = image.info.get("transparency")
    if isinstance(key, int) and image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(image) == key  # 16-bit grey: the key is a raw sample
    depth = _png_bit_depth(data)
    if isinstance(key, int) and image.mode == "L" and depth in (2, 4):
        return np.asarray(image) == key * 255 // (2**depth - 1)  # Pillow scaled the samples, not the key
    if isinstance(key, tuple) and image.mode == "RGB" and tile is not None:
        full = (np.asarray(image).astype(np.uint16) << 8) | _low_bytes(data, tile)
        return (full == np.asarray(key, dtype=np.uint16)).all(axis=-1)
    return None


def _with_colour_key(image: Image.Image, data: bytes, tile: Any) -> Image.Image | None:
    """An RGBA copy with the tRNS key colour transparent, for the cases above."""
    import numpy as np

    hits = _key_hits(image, data, tile)
    if hits is None:
        return None
    key = image.info.pop("transparency")  # the alpha below replaces it
    try:
        keyed = to_rgb_or_rgba(image).convert("RGBA")
    finally:
        image.info["transparency"] = key
    keyed.putalpha(Image.fromarray(np.where(hits, 0, 255).astype(np.uint8)))
    return keyed


# --- loading -----------------------------------------------------------------


def load_image(
    source: str | os.PathLike[str] | bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    name: str | None = None,
) -> LoadedImage:
    """Read, check and decode an image file, stdin ("-") or raw bytes."""
    if max_pixels < 1:
        raise UsageError(f"image.max_pixels must be a positive number of pixels, not {max_pixels}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, shown = bytes(source), name or "<bytes>"
        origin = shown
    else:
        data, shown = read_source(source)
        origin = "-" if _is_dash(source) else shown
        shown = name or shown
    shown = _printable(shown)  # for messages; `origin` keeps the name that opens the file
    if not data:
        raise BadInputError(f"{shown}: empty file (0 bytes)")
    decoded, fmt, original_mode = _decode(data, shown, max_pixels)
    try:
        image = to_rgb_or_rgba(decoded)
    except ValueError as exc:
        raise BadInputError(f"{shown}: unsupported colour mode {original_mode} ({exc})") from None
    return LoadedImage(image, hashlib.sha256(data).hexdigest(), origin, fmt, original_mode)


def load_mask(
    source: str | os.PathLike[str] | bytes,
    size: tuple[int, int],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Image.Image:
    """A mode "L" mask at `size`: the alpha channel when the file has real
    transparency, otherwise its luminance (white = subject).

    A mask of another size is scaled to `size` when its aspect ratio is within
    MASK_ASPECT_TOLERANCE of the image's (a warning says so, and
    `mask.info["imgvar:resized_from"]` keeps the original size); any other
    size is refused, since stretching it would move the subject's outline."""
    width, height = (int(v) for v in size)
    if width < 1 or height < 1:
        raise UsageError(f"mask size must be positive, not {width}x{height}")
    loaded = load_image(source, max_pixels=max_pixels)
    mask = loaded.image.getchannel("A") if loaded.has_alpha else loaded.image.convert("L")
    if mask.size == (width, height):
        return mask
    name = _printable(loaded.source if loaded.source != "-" else STDIN_NAME)
    found = f"{mask.width}x{mask.height}"
    if abs((mask.width / mask.height) / (width / height) - 1) > MASK_ASPECT_TOLERANCE:
        raise BadInputError(f"{name}: the mask is {found} but the image is {width}x{height}; a mask must have "
                            f"the image's size or its aspect ratio (within {MASK_ASPECT_TOLERANCE:.0%})")
    log.warning("%s: mask is %s, scaled to the image's %dx%d", name, found, width, height)
    mask = mask.resize((width, height), Image.Resampling.LANCZOS)
    mask.info["imgvar:resized_from"] = found
    return mask


def pixel_digest(image: Image.Image) -> str:
    """sha256 over mode, size and pixels: a stable identity for derived images."""
    digest = hashlib.sha256(f"{image.mode} {image.width}x{image.height}\n".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


# --- encoding ----------------------------------------------------------------


def _normalize_format(fmt: str) -> str:
    key = str(fmt).lower().lstrip(".")
    key = _FORMAT_ALIASES.get(key, key)
    if key not in OUTPUT_FORMATS:
        raise UsageError(f"unsupported output format '{fmt}' (supported: {', '.join(OUTPUT_FORMATS)})")
    return key


def _rgb_icc(image: Image.Image) -> bytes | None:
    """The embedded ICC profile, only when it describes RGB data."""
    icc = image.info.get("icc_profile")
    return icc if isinstance(icc, bytes) and icc[16:20] == b"RGB " and image.mode != "L" else None


def _metadata_json(metadata: dict[str, str], ascii_only: bool) -> str:
    return json.dumps({str(k): str(v) for k, v in metadata.items()}, sort_keys=True, ensure_ascii=ascii_only)


def _description_exif(metadata: dict[str, str]) -> Image.Exif:
    exif = Image.Exif()
    exif[_EXIF_DESCRIPTION] = _metadata_json(metadata, ascii_only=True)  # the tag is ASCII-typed
    return exif


# zlib level for PNG outputs (config output.png_compression): level 1 (pngfast's writer)
# encodes 5-7x faster than the usual 6, for files some 15-40 % larger.
DEFAULT_PNG_COMPRESSION = 1


def _save_args(fmt: str, metadata: dict[str, str], quality: int,
               compress_level: int = DEFAULT_PNG_COMPRESSION) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if fmt == "png":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        for key in sorted(metadata):
            info.add_itxt(key, str(metadata[key]))
        args.update(pnginfo=info, compress_level=compress_level)
    elif fmt == "jpeg":
        args.update(quality=quality, optimize=True)
        if metadata:
            args["comment"] = _metadata_json(metadata, ascii_only=False).encode("utf-8")
    elif fmt == "webp":
        args.update(quality=quality, method=4)
        if metadata:
            args["exif"] = _description_exif(metadata).tobytes()
    elif fmt == "tiff":
        from PIL import features

        args["compression"] = "tiff_deflate" if features.check("libtiff") else None
        if metadata:
            args["tiffinfo"] = {270: _metadata_json(metadata, ascii_only=True)}
    return args


def _prepare_for(fmt: str, image: Image.Image) -> Image.Image:
    """The image in a mode the format stores, with no inherited `info` for a
    saver to pick up (old comments, EXIF, transparency keys); never the
    caller's own object, whose `info` stays as it was."""
    prepared = image if image.mode in ("RGB", "RGBA", "L") else to_rgb_or_rgba(image)
    if fmt == "jpeg" and prepared.mode == "RGBA":
        flat = Image.new("RGB", prepared.size, (255, 255, 255))  # JPEG has no alpha
        flat.paste(prepared, mask=prepared.getchannel("A"))
        return flat
    prepared = _same_pixels(prepared) if prepared is image else prepared
    prepared.info = {}
    return prepared


def _same_pixels(image: Image.Image) -> Image.Image:
    """A new Image object sharing `image`'s pixel memory: copying 36 MB at 12 MP just to drop `info` is waste."""
    image.load()
    try:
        return image._new(image.im)
    except (AttributeError, TypeError, ValueError):  # a Pillow without the private constructor
        return image.copy()


def encode_image(
    image: Image.Image,
    fmt: str,
    metadata: dict[str, str] | None = None,
    *,
    quality: int = 92,
    compress_level: int = DEFAULT_PNG_COMPRESSION,
) -> bytes:
    """The image as file bytes; identical pixels, metadata and settings give identical bytes.

    `compress_level` is PNG's zlib level, 0 (none, fastest) to 9 (smallest, slowest).
    """
    key = _normalize_format(fmt)
    if not 1 <= int(quality) <= 100:
        raise UsageError(f"quality must be between 1 and 100, not {quality}")
    if not 0 <= int(compress_level) <= 9:
        raise UsageError(f"PNG compression must be between 0 and 9, not {compress_level}")
    icc = _rgb_icc(image)
    prepared = _prepare_for(key, image)
    if key == "png" and int(compress_level) == 1:
        from . import pngfast

        if pngfast.supports(prepared):
            return pngfast.encode_png(prepared, {str(k): str(v) for k, v in (metadata or {}).items()}, icc)
    args = _save_args(key, metadata or {}, int(quality), int(compress_level))
    if icc and key != "bmp":
        args["icc_profile"] = icc
    buffer = io.BytesIO()
    prepared.save(buffer, format=key.upper(), **args)
    return buffer.getvalue()


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The output format implied by a file name; "-" (stdout) is PNG."""
    text = os.fsdecode(os.fspath(path))
    if text == "-":
        return "png"
    ext = os.path.splitext(text)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    problem = f"unsupported extension '{ext}'" if ext else "no file extension"
    raise UsageError(f"{text}: {problem} (use {', '.join(EXTENSIONS)})")


def _parse_metadata_json(raw: object) -> dict[str, str]:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
    try:
        value = json.loads(text)
    except ValueError:
        return {}  # someone else's comment or description
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def read_metadata(path: str | os.PathLike[str] | bytes) -> dict[str, str]:
    """The metadata `encode_image` stored in a PNG, JPEG, WEBP or TIFF file."""
    if isinstance(path, (bytes, bytearray)):
        data, name = bytes(path), "<bytes>"
    else:
        data, name = read_source(path)
        name = _printable(name)
    try:
        with _pillow_warnings(name):
            with Image.open(io.BytesIO(data), formats=INPUT_FORMATS) as image:
                if image.format == "PNG":
                    return {str(k): str(v) for k, v in image.text.items()}
                if image.format in ("JPEG", "MPO"):
                    return _parse_metadata_json(image.info.get("comment"))
                return _parse_metadata_json(image.getexif().get(_EXIF_DESCRIPTION))
    except Image.DecompressionBombError:
        raise BadInputError(f"{name}: too large to inspect (Pillow's decompression-bomb limit)") from None
    except UnidentifiedImageError:
        raise BadInputError(f"{name}: not an image (cannot identify image file)") from None
    except _DECODE_ERRORS as exc:
        raise BadInputError(f"{name}: truncated or corrupt image ({_corrupt_detail(exc)})") from None


# --- writing -----------------------------------------------------------------


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _write_stdout(data: bytes) -> str:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        raise OutputError(f"{STDOUT_NAME}: standard output is not available")
    isatty = getattr(sys.stdout, "isatty", None)
    if callable(isatty) and isatty():
        raise OutputError(f"{STDOUT_NAME}: refusing to write image data to a terminal (redirect it to a file)")
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise OutputError(f"{STDOUT_NAME}: broken pipe") from None
    except OSError as exc:
        raise OutputError(f"{STDOUT_NAME}: {_describe_os_error(exc, 'cannot write')}") from None
    return STDOUT_NAME


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_output(data: bytes, out: str | os.PathLike[str]) -> str:
    """Write `data` to `out` ("-" is stdout) so that readers only ever see the
    old file or the complete new one. Returns the name to show."""
    if _is_dash(out):
        return _write_stdout(data)
    path = os.fsdecode(os.fspath(out))
    if os.path.isdir(path):
        raise OutputError(f"{path}: is a directory")
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        problem = "parent is not a directory" if os.path.exists(directory) else "directory does not exist"
        raise OutputError(f"{path}: {problem}")
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: {_describe_os_error(exc, 'cannot write')}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp's 0600 would surprise users
        os.replace(temp, path)
    except BaseException as exc:
        _remove_quietly(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: {_describe_os_error(exc, 'cannot write')}") from None
        raise
    return path


# --- facts -------------------------------------------------------------------


@dataclass
class ImageFacts:
    width: int
    height: int
    mode: str  # the original mode
    format: str
    orientation: str  # "landscape", "portrait" or "square"
    megapixels: float
    has_alpha: bool
    dominant_colors: list[ColorShare] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width, "height": self.height, "mode": self.mode, "format": self.format,
            "orientation": self.orientation, "megapixels": self.megapixels, "has_alpha": self.has_alpha,
            "dominant_colors": [color.to_dict() for color in self.dominant_colors],
        }


def _orientation(width: int, height: int) -> str:
    return "landscape" if width > height else "portrait" if height > width else "square"


def image_facts(loaded: LoadedImage, n_colors: int = 5) -> ImageFacts:
    """Size, shape and colour facts about a loaded image, for prompts and reports."""
    width, height = loaded.image.size
    return ImageFacts(
        width=width,
        height=height,
        mode=loaded.original_mode,
        format=loaded.format,
        orientation=_orientation(width, height),
        megapixels=round(width * height / 1e6, 2),
        has_alpha=loaded.has_alpha,
        dominant_colors=dominant_colors(loaded.image, n_colors),
    )
