"""Tests for imgvar.imageio: real files in tmp_path, no mocks of Pillow."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import types
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imgvar.errors import BadInputError, OutputError, UsageError
from imgvar.imageio import (
    DEFAULT_MAX_PIXELS,
    dominant_colors,
    encode_image,
    format_for_path,
    image_facts,
    load_image,
    load_mask,
    pixel_digest,
    read_metadata,
    read_source,
    write_output,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def half_red_half_blue(size: tuple[int, int] = (40, 20)) -> Image.Image:
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def save(image: Image.Image, path: Path, fmt: str | None = None, **args: object) -> Path:
    image.save(path, format=fmt, **args)
    return path


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`x`height` but whose pixel data is junk:
    decoding it would fail, so a limit error proves nothing was decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"junk") + chunk(b"IEND", b"")


def fake_stream(data: bytes = b"") -> types.SimpleNamespace:
    return types.SimpleNamespace(buffer=io.BytesIO(data))


# --- formats and orientation --------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".png", "PNG"), (".jpg", "JPEG"), (".webp", "WEBP"), (".tif", "TIFF"), (".bmp", "BMP"), (".gif", "GIF")],
)
def test_each_input_format_loads(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = save(half_red_half_blue(), tmp_path / f"in{suffix}")
    loaded = load_image(str(path))
    assert loaded.format == fmt
    assert loaded.image.size == (40, 20)
    assert loaded.image.mode == "RGB"
    assert loaded.source == str(path)
    assert loaded.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    left, right = loaded.image.getpixel((2, 10)), loaded.image.getpixel((37, 10))
    assert left[0] > 200 and left[2] < 60
    assert right[2] > 200 and right[0] < 60


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    path = save(half_red_half_blue((20, 10)), tmp_path / "rotated.jpg", exif=exif.tobytes())
    loaded = load_image(path)
    assert loaded.image.size == (10, 20)
    top, bottom = loaded.image.getpixel((5, 2)), loaded.image.getpixel((5, 17))
    assert top[0] > 200 and bottom[2] > 200  # the left (red) half is now on top


def test_gif_takes_the_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in (RED, (0, 255, 0), BLUE)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = load_image(path)
    assert loaded.format == "GIF"
    assert loaded.image.convert("RGB").getpixel((4, 4)) == RED


def test_pathlike_and_bytes_sources(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (3, 3), RED), tmp_path / "p.png")
    from_path = load_image(path)
    from_bytes = load_image(path.read_bytes(), name="upload.png")
    assert from_path.digest == from_bytes.digest
    assert from_bytes.source == "upload.png"
    assert pixel_digest(from_path.image) == pixel_digest(from_bytes.image)


# --- mode conversion -------------------------------------------------------------


def _palette_image(transparent: bool) -> Image.Image:
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.putpixel((3, 3), 1)
    if transparent:
        image.info["transparency"] = 1
    return image


MODE_CASES = [
    ("P", lambda: _palette_image(False), "png", "RGB", (0, 0, 255)),
    ("P", lambda: _palette_image(True), "png", "RGBA", (0, 0, 255, 0)),
    ("L", lambda: Image.new("L", (4, 4), 100), "png", "RGB", (100, 100, 100)),
    ("LA", lambda: Image.new("LA", (4, 4), (100, 50)), "png", "RGBA", (100, 100, 100, 50)),
    ("1", lambda: Image.new("1", (4, 4), 1), "png", "RGB", (255, 255, 255)),
    ("CMYK", lambda: Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "tiff", "RGB", (255, 0, 0)),
    ("I;16", lambda: Image.new("I;16", (4, 4), 40000), "png", "RGB", (156, 156, 156)),
    ("I;16B", lambda: Image.new("I;16B", (4, 4), 40000), "tiff", "RGB", (156, 156, 156)),
    ("I", lambda: Image.new("I", (4, 4), 40000), "tiff", "RGB", (156, 156, 156)),
    ("F", lambda: Image.new("F", (4, 4), 0.5), "tiff", "RGB", (128, 128, 128)),
    ("RGBA", lambda: Image.new("RGBA", (4, 4), (10, 20, 30, 255)), "png", "RGB", (10, 20, 30)),
    ("RGBA", lambda: Image.new("RGBA", (4, 4), (10, 20, 30, 128)), "png", "RGBA", (10, 20, 30, 128)),
]


@pytest.mark.parametrize(("original", "make", "fmt", "mode", "pixel"), MODE_CASES)
def test_modes_convert_to_rgb_or_rgba(tmp_path, original, make, fmt, mode, pixel) -> None:
    path = save(make(), tmp_path / f"mode.{fmt}", fmt.upper())
    loaded = load_image(path)
    assert loaded.original_mode == original
    assert loaded.image.mode == mode
    assert loaded.has_alpha is (mode == "RGBA")
    assert loaded.image.getpixel((3, 3)) == pixel


def test_sixteen_bit_is_scaled_not_clipped(tmp_path: Path) -> None:
    path = save(Image.new("I;16", (4, 4), 40000), tmp_path / "deep.png")
    value = load_image(path).image.getpixel((0, 0))[0]
    assert 150 <= value <= 160


@pytest.mark.parametrize("icc", [None, b"not a real profile"])
def test_cmyk_jpeg_converts(tmp_path: Path, icc: bytes | None) -> None:
    extra = {"icc_profile": icc} if icc else {}
    path = save(Image.new("CMYK", (8, 8), (0, 0, 0, 0)), tmp_path / "cmyk.jpg", **extra)
    loaded = load_image(path)
    assert (loaded.original_mode, loaded.image.mode) == ("CMYK", "RGB")
    assert min(loaded.image.getpixel((4, 4))) > 240  # no ink is white


# --- bad inputs ------------------------------------------------------------------


def _truncated(tmp_path: Path, fmt: str) -> Path:
    noise = Image.effect_noise((256, 256), 64).convert("RGB")
    full = save(noise, tmp_path / f"full.{fmt}")
    data = full.read_bytes()
    cut = tmp_path / f"broken.{fmt}"
    cut.write_bytes(data[: len(data) // 2])
    return cut


BAD_INPUTS = {
    "missing": (lambda d: d / "photo.png", "no such file"),
    "directory": (lambda d: d, "is a directory"),
    "empty": (lambda d: (d / "empty.png", (d / "empty.png").write_bytes(b""))[0], "empty file (0 bytes)"),
    "text": (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("hello"))[0], "not an image"),
    "garbage png": (lambda d: (d / "g.png", (d / "g.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 50))[0],
                    "image"),
    "truncated png": (lambda d: _truncated(d, "png"), "truncated or corrupt image"),
    "truncated jpeg": (lambda d: _truncated(d, "jpeg"), "truncated or corrupt image"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_inputs_raise_one_line_bad_input_error(tmp_path: Path, case: str) -> None:
    make, problem = BAD_INPUTS[case]
    path = make(tmp_path)
    with pytest.raises(BadInputError) as caught:
        load_image(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_truncated_message_is_tidy(tmp_path: Path) -> None:
    path = _truncated(tmp_path, "jpeg")
    with pytest.raises(BadInputError, match=r"broken\.jpeg: truncated or corrupt image \(image file is truncated\)$"):
        load_image(path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_permission_denied(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (2, 2)), tmp_path / "secret.png")
    path.chmod(0)
    with pytest.raises(BadInputError, match="secret.png: permission denied"):
        load_image(path)


def test_pixel_limit_is_checked_before_decoding(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (3000, 3000)), tmp_path / "big.png")
    with pytest.raises(BadInputError) as caught:
        load_image(path, max_pixels=1_000_000)
    assert str(caught.value) == (
        f"{path}: 3000x3000 = 9.0 MP exceeds the pixel limit of 1.0 MP (image.max_pixels)"
    )


def test_header_only_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(png_header_only(20000, 20000))  # past Pillow's own hard limit too
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(BadInputError) as caught:
        load_image(path)
    assert str(caught.value) == f"{path}: 20000x20000 = 400.0 MP exceeds the pixel limit of 89.5 MP (image.max_pixels)"
    assert Image.MAX_IMAGE_PIXELS == before == DEFAULT_MAX_PIXELS


def test_raised_limit_silences_pillow_warning(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    path.write_bytes(png_header_only(10000, 9000))  # 90 MP: above Pillow's warning threshold
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(BadInputError, match="truncated or corrupt"):  # reached the decoder
            load_image(path, max_pixels=100_000_000)


# --- stdin -----------------------------------------------------------------------


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    half_red_half_blue().save(buffer, "PNG")
    monkeypatch.setattr(sys, "stdin", fake_stream(buffer.getvalue()))
    loaded = load_image("-")
    assert loaded.source == "-"
    assert loaded.format == "PNG"
    assert loaded.digest == hashlib.sha256(buffer.getvalue()).hexdigest()


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", fake_stream(b""))
    assert read_source("-") == (b"", "<stdin>")
    with pytest.raises(BadInputError, match="^<stdin>: empty file"):
        load_image("-")


# --- encoding and metadata -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "tiff", "bmp"])
def test_encode_is_deterministic(fmt: str) -> None:
    metadata = {"imgvar:prompt": "make it blue", "imgvar:seed": "7"}
    first = encode_image(half_red_half_blue(), fmt, metadata)
    second = encode_image(half_red_half_blue(), fmt, dict(reversed(list(metadata.items()))))
    assert first == second
    assert Image.open(io.BytesIO(first)).size == (40, 20)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "tiff"])
def test_metadata_round_trip(tmp_path: Path, fmt: str) -> None:
    metadata = {"imgvar:prompt": "un café à la plage \u2615", "imgvar:version": "1"}
    out = tmp_path / f"out.{fmt}"
    write_output(encode_image(half_red_half_blue(), fmt, metadata), out)
    assert read_metadata(out) == metadata


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_alpha_is_kept(fmt: str) -> None:
    image = Image.new("RGBA", (8, 8), (0, 128, 0, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    loaded = load_image(encode_image(image, fmt, quality=100))
    assert loaded.has_alpha
    assert loaded.image.getpixel((0, 0))[3] == 0
    assert loaded.image.getpixel((5, 5))[3] == 255


def test_jpeg_flattens_alpha_onto_white() -> None:
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    loaded = load_image(encode_image(image, "jpeg"))
    assert loaded.image.mode == "RGB"
    assert min(loaded.image.getpixel((4, 4))) > 245


def test_encode_does_not_carry_source_metadata(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (8, 8), RED), tmp_path / "c.jpg", comment=b"old comment")
    loaded = load_image(path)
    assert read_metadata(encode_image(loaded.image, "jpeg")) == {}
    assert b"old comment" not in encode_image(loaded.image, "jpeg")


def test_unknown_format_is_usage_error() -> None:
    with pytest.raises(UsageError, match="'gif'"):
        encode_image(Image.new("RGB", (2, 2)), "gif")


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("a.png", "png"), ("a.JPG", "jpeg"), ("a.jpeg", "jpeg"), ("a.webp", "webp"), ("a.tif", "tiff"),
     ("dir/a.tiff", "tiff"), ("a.bmp", "bmp"), ("-", "png"), (Path("x/y.png"), "png")],
)
def test_format_for_path(path: str, fmt: str) -> None:
    assert format_for_path(path) == fmt


@pytest.mark.parametrize("path", ["a.gif", "a.txt", "noext"])
def test_format_for_path_rejects_others(path: str) -> None:
    with pytest.raises(UsageError, match=r"\.png.*\.jpg"):
        format_for_path(path)


# --- writing ---------------------------------------------------------------------


def test_write_output_writes_with_umask_permissions(tmp_path: Path) -> None:
    out = tmp_path / "result.png"
    assert write_output(b"new", out) == str(out)
    assert out.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert list(tmp_path.iterdir()) == [out]


def test_write_output_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "out" / "x.png"
    with pytest.raises(OutputError, match=r"out/x\.png: directory does not exist$"):
        write_output(b"data", out)
    assert not (tmp_path / "out").exists()


def test_write_output_onto_directory(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_output(b"data", tmp_path)


def test_failed_replace_keeps_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "keep.png"
    out.write_bytes(b"previous")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="keep.png: cannot write"):
        write_output(b"replacement", out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_write_output_dash_goes_to_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = fake_stream()
    monkeypatch.setattr(sys, "stdout", stream)
    assert write_output(b"png-bytes", "-") == "<stdout>"
    assert stream.buffer.getvalue() == b"png-bytes"


# --- colours, facts, masks, digests -------------------------------------------------


def test_dominant_colors_half_red_half_blue() -> None:
    colours = dominant_colors(half_red_half_blue((200, 100)), n=5)
    by_name = {c.name: c for c in colours}
    assert {"red", "blue"} <= set(by_name)
    assert by_name["red"].share == pytest.approx(0.5, abs=0.05)
    assert by_name["blue"].share == pytest.approx(0.5, abs=0.05)
    assert sum(c.share for c in colours) == pytest.approx(1.0, abs=0.01)
    assert by_name["red"].hex == "#ff0000"


def test_dominant_colors_ignore_transparent_pixels() -> None:
    image = Image.new("RGBA", (50, 50), (255, 255, 255, 0))
    image.paste((0, 0, 128, 255), (0, 0, 10, 50))
    colours = dominant_colors(image, n=3)
    assert [c.name for c in colours] == ["navy"]
    assert colours[0].share == pytest.approx(1.0)
    assert dominant_colors(Image.new("RGBA", (4, 4), (0, 0, 0, 0))) == []


def test_dominant_colors_merge_same_names() -> None:
    gradient = Image.linear_gradient("L").resize((64, 64)).convert("RGB")
    colours = dominant_colors(gradient, n=8)
    names = [c.name for c in colours]
    assert len(names) == len(set(names))
    assert sum(c.share for c in colours) == pytest.approx(1.0, abs=0.01)
    assert [c.share for c in colours] == sorted((c.share for c in colours), reverse=True)


@pytest.mark.parametrize(
    ("rgb", "name"),
    [((135, 206, 235), "sky blue"), ((0, 0, 128), "navy"), ((34, 139, 34), "forest green"), ((128, 128, 0), "olive"),
     ((194, 178, 128), "sand"), ((139, 69, 19), "brown"), ((255, 255, 255), "white"), ((0, 0, 0), "black"),
     ((128, 128, 128), "gray"), ((255, 140, 0), "orange"), ((212, 175, 55), "gold"), ((255, 192, 203), "pink"),
     ((128, 0, 128), "purple"), ((0, 128, 128), "teal")],
)
def test_colour_names(rgb: tuple[int, int, int], name: str) -> None:
    assert dominant_colors(Image.new("RGB", (4, 4), rgb), n=1)[0].name == name


def test_image_facts(tmp_path: Path) -> None:
    path = save(half_red_half_blue((300, 200)), tmp_path / "facts.png")
    facts = image_facts(load_image(path), n_colors=2)
    data = facts.to_dict()
    assert (data["width"], data["height"], data["orientation"]) == (300, 200, "landscape")
    assert (data["mode"], data["format"], data["megapixels"], data["has_alpha"]) == ("RGB", "PNG", 0.06, False)
    assert sorted(c["name"] for c in data["dominant_colors"]) == ["blue", "red"]


def test_load_mask_uses_alpha_when_present(tmp_path: Path) -> None:
    mask = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    mask.paste((0, 0, 0, 255), (0, 0, 5, 10))
    path = save(mask, tmp_path / "mask.png")
    loaded = load_mask(path, (20, 20))
    assert (loaded.mode, loaded.size) == ("L", (20, 20))
    assert loaded.getpixel((2, 10)) == 255 and loaded.getpixel((17, 10)) == 0


def test_load_mask_uses_luminance_when_opaque(tmp_path: Path) -> None:
    mask = Image.new("RGBA", (10, 10), (0, 0, 0, 255))
    mask.paste((255, 255, 255, 255), (5, 0, 10, 10))
    path = save(mask, tmp_path / "mask.png")
    loaded = load_mask(path, (10, 10))
    assert loaded.mode == "L"
    assert loaded.getpixel((2, 5)) == 0 and loaded.getpixel((8, 5)) == 255


def test_pixel_digest_depends_on_mode_size_and_pixels() -> None:
    base = Image.new("RGB", (4, 4), RED)
    assert pixel_digest(base) == pixel_digest(base.copy())
    assert pixel_digest(base) != pixel_digest(base.convert("RGBA"))
    assert pixel_digest(base) != pixel_digest(Image.new("RGB", (2, 8), RED))
    changed = base.copy()
    changed.putpixel((0, 0), BLUE)
    assert pixel_digest(base) != pixel_digest(changed)


# --- colour-keyed (tRNS) transparency ----------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(width: int, depth: int, colour_type: int, row: bytes, *, trns: bytes = b"", plte: bytes = b"") -> bytes:
    """A one-row PNG written byte by byte, for bit depths Pillow cannot save."""
    ihdr = struct.pack(">IIBBBBB", width, 1, depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + (_png_chunk(b"PLTE", plte) if plte else b"")
            + (_png_chunk(b"tRNS", trns) if trns else b"") + _png_chunk(b"IDAT", zlib.compress(b"\x00" + row))
            + _png_chunk(b"IEND", b""))


# (PNG bytes, the first pixel (transparent), the second pixel (opaque)) for each colour-keyed kind.
KEYED_PNGS = {
    "grey 16-bit": (raw_png(2, 16, 0, struct.pack(">HH", 1000, 40000), trns=struct.pack(">H", 1000)),
                    (4, 4, 4, 0), (156, 156, 156, 255)),
    "grey 8-bit": (raw_png(2, 8, 0, bytes([10, 200]), trns=struct.pack(">H", 10)),
                   (10, 10, 10, 0), (200, 200, 200, 255)),
    "grey 4-bit": (raw_png(2, 4, 0, bytes([0x1F]), trns=struct.pack(">H", 1)), (17, 17, 17, 0), (255, 255, 255, 255)),
    "grey 2-bit": (raw_png(2, 2, 0, bytes([0b01110000]), trns=struct.pack(">H", 1)),
                   (85, 85, 85, 0), (255, 255, 255, 255)),
    "grey 1-bit": (raw_png(2, 1, 0, bytes([0b01000000]), trns=struct.pack(">H", 0)), (0, 0, 0, 0), (255, 255, 255, 255)),
    "rgb 8-bit": (raw_png(2, 8, 2, bytes([1, 2, 3, 200, 100, 50]), trns=struct.pack(">HHH", 1, 2, 3)),
                  (1, 2, 3, 0), (200, 100, 50, 255)),
    # Same high bytes, different low bytes: only the exact 16-bit colour is the key.
    "rgb 16-bit": (raw_png(2, 16, 2, struct.pack(">6H", 1000, 2000, 3000, 1001, 2000, 3000),
                           trns=struct.pack(">HHH", 1000, 2000, 3000)), (3, 7, 11, 0), (3, 7, 11, 255)),
    "palette 4-bit": (raw_png(2, 4, 3, bytes([0x01]), trns=b"\x00", plte=bytes([255, 0, 0, 0, 0, 255])),
                      (255, 0, 0, 0), (0, 0, 255, 255)),
}


@pytest.mark.parametrize("case", list(KEYED_PNGS))
def test_colour_keyed_png_keeps_its_transparency(case: str) -> None:
    data, transparent, opaque = KEYED_PNGS[case]
    loaded = load_image(data)
    assert loaded.image.mode == "RGBA"
    assert loaded.image.getpixel((0, 0)) == transparent
    assert loaded.image.getpixel((1, 0)) == opaque


@pytest.mark.parametrize(
    ("data", "mode", "pixel"),
    [
        (raw_png(1, 16, 2, struct.pack(">3H", 65535, 32768, 0)), "RGB", (255, 128, 0)),
        (raw_png(1, 16, 6, struct.pack(">4H", 65535, 32768, 0, 32768)), "RGBA", (255, 128, 0, 128)),
        (raw_png(1, 16, 4, struct.pack(">2H", 32768, 16384)), "RGBA", (128, 128, 128, 64)),
        (raw_png(1, 8, 4, bytes([128, 64])), "RGBA", (128, 128, 128, 64)),
    ],
    ids=["rgb16", "rgba16", "la16", "la8"],
)
def test_deep_and_grey_alpha_pngs_keep_range_and_alpha(data: bytes, mode: str, pixel: tuple[int, ...]) -> None:
    image = load_image(data).image
    assert image.mode == mode
    assert image.getpixel((0, 0)) == pixel


def test_colour_key_survives_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    plain = raw_png(2, 16, 0, struct.pack(">HH", 1000, 40000), trns=struct.pack(">H", 1000))
    data = plain[:33] + _png_chunk(b"eXIf", exif.tobytes()[6:]) + plain[33:]  # after IHDR
    image = load_image(data).image
    assert image.size == (1, 2)
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((0, 1))[3] == 255


# --- Pillow's warnings -------------------------------------------------------------


def corrupt_exif_jpeg() -> bytes:
    """A JPEG whose APP1 EXIF block claims more entries than it holds."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), RED).save(buffer, "JPEG")
    app1 = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08\x00\x05" + b"\xff" * 40
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    data = buffer.getvalue()
    return data[:2] + segment + data[2:]


def test_corrupt_exif_is_logged_at_debug_not_warned(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="imgvar")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_image(corrupt_exif_jpeg(), name="bad-exif.jpg")
    assert loaded.image.size == (16, 8)
    assert caught == []
    records = [r for r in caplog.records if "Corrupt EXIF" in r.getMessage()]
    assert records and all(r.levelname == "DEBUG" and r.name.startswith("imgvar") and not r.exc_info
                           for r in records)
    assert records[0].getMessage().startswith("bad-exif.jpg: ")


def test_unidentified_file_warns_nothing(tmp_path: Path) -> None:
    path = tmp_path / "odd.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(BadInputError):
            load_image(path)
        with pytest.raises(BadInputError):
            read_metadata(path)
    assert caught == []


def test_cli_prints_nothing_about_corrupt_exif(tmp_path: Path) -> None:
    """A real process, so Python's own warning printing is what is checked."""
    path = tmp_path / "bad-exif.jpg"
    path.write_bytes(corrupt_exif_jpeg())
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    done = subprocess.run([sys.executable, "-m", "imgvar", "analyze", str(path), "in watercolor"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "16x8" in done.stdout
    assert "EXIF" not in done.stderr and "Warning" not in done.stderr and "site-packages" not in done.stderr


# --- pixel-limit messages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "limit", "expected"),
    [
        ((50, 50), 100, "50x50 = 2,500 pixels exceeds the pixel limit of 100 pixels"),
        ((1001, 1000), 1_000_000, "1001x1000 = 1,001,000 pixels exceeds the pixel limit of 1,000,000 pixels"),
        ((500, 400), 50_000, "500x400 = 200,000 pixels exceeds the pixel limit of 50,000 pixels"),
        ((3000, 1000), 2_000_000, "3000x1000 = 3.0 MP exceeds the pixel limit of 2.0 MP"),
    ],
)
def test_pixel_limit_message_counts_are_meaningful(size, limit, expected) -> None:
    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, "PNG")
    with pytest.raises(BadInputError) as caught:
        load_image(buffer.getvalue(), name="in.png", max_pixels=limit)
    assert str(caught.value) == f"in.png: {expected} (image.max_pixels)"


# --- masks -------------------------------------------------------------------------


def test_mask_with_the_same_aspect_ratio_is_scaled_and_reported(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    mask = Image.new("L", (50, 25), 0)
    mask.paste(255, (0, 0, 25, 25))
    path = save(mask, tmp_path / "half.png")
    with caplog.at_level("WARNING", logger="imgvar"):
        loaded = load_mask(path, (100, 50))
    assert loaded.size == (100, 50)
    assert loaded.info["imgvar:resized_from"] == "50x25"
    assert loaded.getpixel((10, 25)) == 255 and loaded.getpixel((90, 25)) == 0
    assert any("50x25" in r.getMessage() and "100x50" in r.getMessage() for r in caplog.records)


def test_mask_within_one_percent_is_accepted(tmp_path: Path) -> None:
    path = save(Image.new("L", (300, 200), 255), tmp_path / "m.png")
    assert load_mask(path, (1000, 667)).size == (1000, 667)  # 1.5 vs 1.499


@pytest.mark.parametrize(("mask_size", "image_size"), [((50, 50), (100, 60)), ((200, 100), (100, 200)),
                                                    ((100, 51), (100, 50))])
def test_mask_with_another_aspect_ratio_is_refused(tmp_path: Path, mask_size, image_size) -> None:
    path = save(Image.new("L", mask_size, 255), tmp_path / "m.png")
    with pytest.raises(BadInputError) as caught:
        load_mask(path, image_size)
    message = str(caught.value)
    assert message.startswith(f"{path}: the mask is {mask_size[0]}x{mask_size[1]} but the image is "
                              f"{image_size[0]}x{image_size[1]}; ")
    assert caught.value.exit_code == 3


def test_cli_refuses_a_mask_of_another_shape(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from imgvar.cli.app import app

    photo = save(half_red_half_blue((40, 20)), tmp_path / "photo.png")
    scene = save(Image.new("RGB", (80, 40), BLUE), tmp_path / "scene.png")
    mask = save(Image.new("L", (30, 30), 255), tmp_path / "mask.png")
    result = CliRunner().invoke(app, ["recontext", str(photo), "on a beach", "--background", str(scene),
                                      "--mask", str(mask), "--out", str(tmp_path / "out.png")])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"imgvar: error: {mask}: the mask is 30x30 but the image is 40x20; a mask must have the "
                     "image's size or its aspect ratio (within 1%)"]
    assert not (tmp_path / "out.png").exists()


# --- hostile paths and files ---------------------------------------------------------


def small_png() -> bytes:
    buffer = io.BytesIO()
    half_red_half_blue((8, 4)).save(buffer, "PNG")
    return buffer.getvalue()


def test_nul_byte_in_name_is_bad_input() -> None:
    with pytest.raises(BadInputError, match=r"^a\\x00b\.png: file name contains a NUL byte$"):
        read_source("a\x00b.png")


def test_overlong_name_is_one_line_bad_input(tmp_path: Path) -> None:
    path = str(tmp_path / ("n" * 300 + ".png"))
    with pytest.raises(BadInputError) as caught:
        load_image(path)
    assert str(caught.value) == f"{path}: file name too long"
    from typer.testing import CliRunner

    from imgvar.cli.app import app

    result = CliRunner().invoke(app, ["analyze", path, "in watercolor"])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"imgvar: error: {path}: file name too long"


def test_non_utf8_file_name_loads_and_errors_print(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")  # Latin-1 bytes: not UTF-8
    with open(raw, "wb") as handle:
        handle.write(small_png())
    loaded = load_image(os.fsdecode(raw))
    assert loaded.image.size == (8, 4)
    assert os.fsencode(loaded.source) == raw  # still names the file, e.g. for the output beside it
    with open(raw, "wb") as handle:
        handle.write(b"not an image")
    with pytest.raises(BadInputError) as caught:
        load_image(os.fsdecode(raw))
    message = str(caught.value)
    assert message.endswith("caf\\xe9.png: not an image (cannot identify image file)")
    message.encode("utf-8")  # printable: no lone surrogates


def test_control_characters_in_name_stay_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.png"
    with pytest.raises(BadInputError) as caught:
        load_image(path)
    assert str(caught.value) == f"{tmp_path}/two\\nlines.png: no such file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_read_like_a_pipe(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    data = small_png()

    def feed() -> None:
        with open(fifo, "wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        loaded = load_image(fifo)
    finally:
        writer.join(timeout=10)
    assert loaded.image.size == (8, 4) and loaded.digest == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_is_refused_without_reading() -> None:
    with pytest.raises(BadInputError, match="^/dev/zero: not a regular file"):
        read_source("/dev/zero")


def test_oversized_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import imgvar.imageio as imageio

    monkeypatch.setattr(imageio, "MAX_INPUT_BYTES", 2**20)
    path = tmp_path / "big.png"
    path.write_bytes(b"\x00" * (2**20 + 1))
    with pytest.raises(BadInputError, match="big.png: larger than 1 MiB; not read$"):
        read_source(path)
    monkeypatch.setattr(sys, "stdin", fake_stream(b"\x00" * (2**20 + 1)))
    with pytest.raises(BadInputError, match="^<stdin>: larger than 1 MiB"):
        read_source("-")


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt", b"iCCP"])
def test_giant_compressed_png_chunk_does_not_cost_the_picture(kind: bytes) -> None:
    bomb = zlib.compress(b"a" * (20 * 2**20))  # 20 MiB of text from ~20 KB
    body = {b"zTXt": b"k\x00\x00", b"iTXt": b"k\x00\x01\x00\x00\x00", b"iCCP": b"icc\x00\x00"}[kind] + bomb
    plain = small_png()
    loaded = load_image(plain[:33] + _png_chunk(kind, body) + plain[33:])
    assert loaded.image.size == (8, 4) and loaded.image.getpixel((0, 0)) == RED


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(orientation: int) -> None:
    from PIL import ImageOps

    rng = __import__("numpy").random.default_rng(orientation)
    base = Image.fromarray(rng.integers(0, 255, (6, 10, 3), dtype="uint8"))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    base.save(buffer, "PNG", exif=exif.tobytes())
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(buffer.getvalue()))).convert("RGB")
    got = load_image(buffer.getvalue()).image
    assert got.size == ((10, 6) if orientation <= 4 else (6, 10))
    assert got.tobytes() == expected.tobytes()


def test_animated_webp_takes_the_first_frame() -> None:
    frames = [Image.new("RGBA", (8, 8), colour) for colour in ((255, 0, 0, 128), (0, 255, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    loaded = load_image(buffer.getvalue())
    assert (loaded.format, loaded.image.mode) == ("WEBP", "RGBA")
    assert loaded.image.getpixel((4, 4)) == (255, 0, 0, 128)


def test_adobe_cmyk_jpeg_has_the_right_colour() -> None:
    buffer = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(buffer, "JPEG", quality=95)
    assert b"Adobe" in buffer.getvalue()  # Pillow writes inverted CMYK with an Adobe marker
    red = load_image(buffer.getvalue()).image.getpixel((4, 4))
    assert red[0] > 240 and red[1] < 15 and red[2] < 15


# --- property-based: any bytes, any name -------------------------------------------

hypothesis = pytest.importorskip("hypothesis", reason="property tests need hypothesis (the [test] extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_PIXELS = 1_000_000  # a mutated header may claim a large size: keep each decode small


def _seed_files() -> dict[str, bytes]:
    image = half_red_half_blue((16, 12)).convert("RGBA")
    image.putpixel((0, 0), (1, 2, 3, 0))
    seeds = {}
    for fmt, args in (("PNG", {}), ("JPEG", {"exif": _orientation_exif(6)}), ("GIF", {}), ("WEBP", {}),
                      ("TIFF", {}), ("BMP", {})):
        buffer = io.BytesIO()
        (image.convert("RGB") if fmt in ("JPEG", "BMP") else image).save(buffer, fmt, **args)
        seeds[fmt] = buffer.getvalue()
    seeds["PNG16"] = KEYED_PNGS["rgb 16-bit"][0]
    return seeds


def _orientation_exif(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


SEEDS = _seed_files()


def _load_or_refuse(data: bytes) -> None:
    try:
        loaded = load_image(data, max_pixels=FUZZ_PIXELS)
    except BadInputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("<bytes>: ")
        return
    assert loaded.image.mode in ("RGB", "RGBA")
    assert loaded.image.width * loaded.image.height <= FUZZ_PIXELS
    loaded.image.tobytes()  # the pixels are really there


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes_load_or_raise_bad_input(data: bytes) -> None:
    _load_or_refuse(data)


@FUZZ
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutated_and_truncated_images_load_or_raise_bad_input(seed: str, edits, cut) -> None:
    data = bytearray(SEEDS[seed])
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    _load_or_refuse(bytes(data))


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(os.fsdecode)))
def test_any_file_name_reads_or_raises_bad_input(name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name.lstrip("/"))
        try:
            with open(path, "wb") as handle:
                handle.write(b"data")
        except (OSError, ValueError):
            pass  # names the file system refuses are still read_source's problem
        try:
            data, shown = read_source(path)
        except BadInputError as exc:
            assert "\n" not in str(exc)
            str(exc).encode("utf-8")
            return
        assert shown == path and isinstance(data, bytes)


def test_pillow_log_records_become_debug_lines(caplog: pytest.LogCaptureFixture) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "TIFF")
    entry = b"\x15\x01\x03\x00\x01\x00\x00\x00\x03\x00"  # SamplesPerPixel = 3, little-endian IFD entry
    data = buffer.getvalue().replace(entry, entry[:-2] + b"\x5a\x00")  # claim 90
    caplog.set_level("DEBUG", logger="imgvar")
    with pytest.raises(BadInputError):
        load_image(data)
    pillow = [r for r in caplog.records if "More samples per pixel" in r.getMessage()]
    assert pillow and all(r.name.startswith("imgvar") and r.levelname == "DEBUG" for r in pillow)


@pytest.mark.parametrize("alpha", [None, "partial", "none_visible"])
def test_visible_pixels_are_every_non_transparent_pixel_in_order(alpha):
    from imgvar.colors import _visible_pixels

    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, size=(40, 50, 4), dtype=np.uint8)
    if alpha is None:
        rgba[..., 3] = 255
    elif alpha == "partial":
        rgba[::3, ::2, 3] = 0
    else:
        rgba[..., 3] = 0
    row = _visible_pixels(Image.fromarray(rgba, "RGBA"))
    expected = rgba[rgba[..., 3] > 0][:, :3]
    if alpha == "none_visible":
        assert row is None
    else:
        assert np.array_equal(np.asarray(row).reshape(-1, 3), expected)
