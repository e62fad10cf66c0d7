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
import os
import re
import struct
import sys
import tempfile
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from .colors import ColorShare, dominant_colors, to_rgb_or_rgba
from .errors import BadInputError, OutputError, UsageError

__all__ = [
    "DEFAULT_MAX_PIXELS", "ColorShare", "ImageFacts", "LoadedImage", "dominant_colors", "encode_image",
    "format_for_path", "image_facts", "load_image", "load_mask", "pixel_digest", "read_metadata",
    "read_source", "write_output",
]

DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's own default, about 89.5 MP
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


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise BadInputError(f"{STDIN_NAME}: standard input is not available")
    isatty = getattr(sys.stdin, "isatty", None)
    if callable(isatty) and isatty():
        # Reading would block on the keyboard; an image has to be piped in.
        raise BadInputError(f"{STDIN_NAME}: no image piped in (stdin is a terminal)")
    return stream.read()


def read_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a file, or of stdin for "-", and the name to show for it."""
    if _is_dash(source):
        return _read_stdin(), STDIN_NAME
    name = os.fsdecode(os.fspath(source))
    if os.path.isdir(name):
        raise BadInputError(f"{name}: is a directory")
    try:
        with open(name, "rb") as handle:
            return handle.read(), name
    except FileNotFoundError:
        raise BadInputError(f"{name}: no such file") from None
    except OSError as exc:
        raise BadInputError(f"{name}: {_describe_os_error(exc, 'cannot read')}") from None


def _describe_os_error(exc: OSError, action: str) -> str:
    known = {errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EISDIR: "is a directory",
             errno.ENOENT: "no such file", errno.ENOSPC: "no space left on device",
             errno.EROFS: "read-only file system"}
    return known.get(exc.errno or 0) or f"{action} ({exc.strerror or exc})"


def _limit_message(name: str, pixels: int, limit: int, size: tuple[int, int] | None, what: str) -> str:
    dims = f"{size[0]}x{size[1]} = " if size else ""
    return f"{name}: {dims}{pixels / 1e6:.1f} MP exceeds {what} of {limit / 1e6:.1f} MP"


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
    size = _header_size(data)
    found = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = size[0] * size[1] if size else int(found.group(1)) if found else 0
    if pixels > max_pixels:
        return BadInputError(_limit_message(name, pixels, max_pixels, size, "the pixel limit") + " (image.max_pixels)")
    hard_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    return BadInputError(_limit_message(name, pixels, hard_limit, size, "Pillow's decompression-bomb limit"))


def _corrupt_detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return "image file is truncated" if "truncated" in text else text


def _decode(data: bytes, name: str, max_pixels: int) -> tuple[Image.Image, str, str]:
    """Fully decoded, orientation-corrected first frame; its format and mode."""
    try:
        with warnings.catch_warnings():
            # Our own limit decides; Pillow's warning threshold would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=INPUT_FORMATS) as opened:
                _check_pixels(opened.size, name, max_pixels)  # before any pixel is decoded
                opened.load()
                fmt = "JPEG" if opened.format == "MPO" else str(opened.format)
                return _orient(opened), fmt, opened.mode
    except Image.DecompressionBombError as exc:
        raise _bomb_error(name, data, exc, max_pixels) from None
    except UnidentifiedImageError:
        raise BadInputError(f"{name}: not an image (cannot identify image file)") from None
    except MemoryError:
        raise BadInputError(f"{name}: not enough memory to decode the image") from None
    except _DECODE_ERRORS as exc:
        raise BadInputError(f"{name}: truncated or corrupt image ({_corrupt_detail(exc)})") from None


def _orient(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS + (KeyError, TypeError):
        # A damaged EXIF block should not cost the user the picture itself.
        return image.copy()


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
    transparency, otherwise its luminance (white = subject)."""
    width, height = (int(v) for v in size)
    if width < 1 or height < 1:
        raise UsageError(f"mask size must be positive, not {width}x{height}")
    loaded = load_image(source, max_pixels=max_pixels)
    mask = loaded.image.getchannel("A") if loaded.has_alpha else loaded.image.convert("L")
    if mask.size != (width, height):
        mask = mask.resize((width, height), Image.Resampling.LANCZOS)
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


def _save_args(fmt: str, metadata: dict[str, str], quality: int) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if fmt == "png":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        for key in sorted(metadata):
            info.add_itxt(key, str(metadata[key]))
        args.update(pnginfo=info, compress_level=6)
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
    """A copy in a mode the format stores, with no inherited `info` for a
    saver to pick up (old comments, EXIF, transparency keys)."""
    prepared = image if image.mode in ("RGB", "RGBA", "L") else to_rgb_or_rgba(image)
    if fmt == "jpeg" and prepared.mode == "RGBA":
        flat = Image.new("RGB", prepared.size, (255, 255, 255))  # JPEG has no alpha
        flat.paste(prepared, mask=prepared.getchannel("A"))
        return flat
    prepared = prepared.copy() if prepared is image else prepared
    prepared.info = {}
    return prepared


def encode_image(
    image: Image.Image,
    fmt: str,
    metadata: dict[str, str] | None = None,
    *,
    quality: int = 92,
) -> bytes:
    """The image as file bytes; identical pixels and metadata give identical bytes."""
    key = _normalize_format(fmt)
    if not 1 <= int(quality) <= 100:
        raise UsageError(f"quality must be between 1 and 100, not {quality}")
    icc = _rgb_icc(image)
    prepared = _prepare_for(key, image)
    args = _save_args(key, metadata or {}, int(quality))
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
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
