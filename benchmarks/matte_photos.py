#!/usr/bin/env python3
"""Collect real photos with reference mattes for `benchmarks/matte.py --photos DIR`.

The photos and cut-outs are rembg's examples (github.com/danielgatis/rembg, MIT licence for
the repository; the photos' own licences are not stated there), so they are downloaded into a
folder of your choice and never shipped with imgvar. The reference matte of each photo is
the alpha channel of rembg's published cut-out, made by its u2net model: a strong reference,
not a hand-drawn one. `plants-1` is left out: its published cut-out keeps one small pot.

    .venv/bin/python benchmarks/matte_photos.py DIR            # downloads (needs internet)
    .venv/bin/python benchmarks/matte_photos.py DIR --from REPO  # or reads a local clone
    .venv/bin/python benchmarks/matte.py --photos DIR --tiers classic
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import urllib.request
from pathlib import Path

from PIL import Image

RAW = "https://raw.githubusercontent.com/danielgatis/rembg/main/examples/"
NAMES = ("animal-1", "animal-2", "animal-3", "car-1", "car-2", "car-3", "girl-1", "girl-2", "girl-3")


def _read(name: str, source: Path | None) -> bytes:
    if source is not None:
        if (source / ".git").exists() or (source / "HEAD").exists():
            return subprocess.run(["git", "-C", str(source), "show", f"HEAD:examples/{name}"],
                                  check=True, capture_output=True).stdout
        return (source / "examples" / name).read_bytes()
    with urllib.request.urlopen(RAW + name, timeout=30) as response:
        return response.read()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--from", dest="source", type=Path, default=None, help="a local clone of rembg")
    args = ap.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        try:
            photo = _read(f"{name}.jpg", args.source)
            cut = Image.open(io.BytesIO(_read(f"{name}.out.png", args.source)))
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"matte_photos: cannot get {name}: {exc}", file=sys.stderr)
            return 1
        (args.folder / f"{name}.jpg").write_bytes(photo)
        cut.getchannel("A").save(args.folder / f"{name}.mask.png")
        print(f"{name}: {cut.size[0]}x{cut.size[1]}")
    print(f"{len(NAMES)} photos with reference mattes in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
