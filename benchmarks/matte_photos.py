#!/usr/bin/env python3
"""Collect real photos with reference mattes for `benchmarks/matte.py --photos DIR`.

Three public repositories supply them. The repositories' licences cover their code; the
photos' own licences are not stated, so they are downloaded into a folder of your choice
and never shipped with imgvar.

- rembg (github.com/danielgatis/rembg, MIT): 9 example photos (people, animals, cars); the
  reference is the alpha of rembg's published cut-out, made by its u2net model. `plants-1`
  is left out: its published cut-out keeps one small pot.
- U-2-Net (github.com/xuebinqin/U-2-Net, Apache-2.0): 16 test photos (people, animals,
  vehicles, objects); the reference is the published u2net saliency map. `hockey` (a crowd
  with no one subject) and `long` (calligraphy, not a photo) are left out.
- PyMatting (github.com/pymatting/pymatting, MIT): the lemur, whose reference is the alpha
  PyMatting estimates from its hand-drawn trimap.

The model-made references are strong, not hand-drawn: a classic matte is measured against
what a trained network finds.

    .venv/bin/python benchmarks/matte_photos.py DIR                 # downloads (needs internet)
    .venv/bin/python benchmarks/matte_photos.py DIR --from CLONES   # or reads local clones, in
        # CLONES/rembg, CLONES/U-2-Net and CLONES/pymatting (work trees or bare git directories)
    .venv/bin/python benchmarks/matte.py --photos DIR --tiers classic
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class Photo:
    name: str  # the file name it gets in DIR
    photo: str  # path inside the repository
    reference: str
    alpha: bool  # the reference is a cut-out whose alpha is the matte (else a grey map)


@dataclass(frozen=True)
class Source:
    folder: str  # the clone's folder name under --from
    raw: str  # raw-file URL prefix
    photos: tuple[Photo, ...]


def _rembg() -> Source:
    names = ("animal-1", "animal-2", "animal-3", "car-1", "car-2", "car-3", "girl-1", "girl-2", "girl-3")
    return Source("rembg", "https://raw.githubusercontent.com/danielgatis/rembg/main/",
                  tuple(Photo(n, f"examples/{n}.jpg", f"examples/{n}.out.png", True) for n in names))


def _u2net() -> Source:
    names = ("0002-01.jpg", "0003.jpg", "bike.jpg", "boat.jpg", "girl.png", "horse.jpg", "im_01.png",
             "im_14.png", "im_21.png", "im_27.png", "lamp2_meitu_1.jpg", "rifle1.jpg", "rifle2.jpeg",
             "sailboat3.jpg", "vangogh.jpeg", "whisk.png")
    photos = []
    for n in names:
        stem = n.rsplit(".", 1)[0]
        photos.append(Photo(f"u2net-{stem}", f"test_data/test_images/{n}", f"test_data/u2net_results/{stem}.png", False))
    return Source("U-2-Net", "https://raw.githubusercontent.com/xuebinqin/U-2-Net/master/", tuple(photos))


def _pymatting() -> Source:
    return Source("pymatting", "https://raw.githubusercontent.com/pymatting/pymatting/master/",
                  (Photo("pymatting-lemur", "data/lemur/lemur.png", "data/lemur/lemur_alpha.png", False),))


SOURCES = (_rembg(), _u2net(), _pymatting())


def _read(source: Source, path: str, clones: Path | None) -> bytes:
    if clones is None:
        with urllib.request.urlopen(source.raw + path, timeout=30) as response:
            return response.read()
    repo = clones / source.folder
    if (repo / path).is_file():
        return (repo / path).read_bytes()
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True).stdout


def collect(folder: Path, clones: Path | None) -> int:
    """Write every photo and its reference mask into `folder`; the number written."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for source in SOURCES:
        for p in source.photos:
            photo = _read(source, p.photo, clones)
            ref = Image.open(io.BytesIO(_read(source, p.reference, clones)))
            mask = ref.getchannel("A") if p.alpha else ref.convert("L")
            suffix = Path(p.photo).suffix.lower().replace(".jpeg", ".jpg")
            (folder / f"{p.name}{suffix}").write_bytes(photo)
            mask.save(folder / f"{p.name}.mask.png")
            count += 1
            print(f"{p.name}: {mask.size[0]}x{mask.size[1]}")
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--from", dest="clones", type=Path, default=None,
                    help="a folder holding clones named rembg, U-2-Net and pymatting")
    args = ap.parse_args()
    try:
        count = collect(args.folder, args.clones)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"matte_photos: cannot get the photos: {exc}", file=sys.stderr)
        return 1
    print(f"{count} photos with reference mattes in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
