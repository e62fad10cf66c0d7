"""G'MIC peers for imgvar's offline style presets, and how to time them.

For each preset, the G'MIC 2.9.4 command (Debian's `gmic` package) that is its closest artistic
equivalent *and* runs from the command line with explicit arguments. Chosen by reading the
2.9.4 command library (it is compiled into libgmic.so.1; the `#@gui` lines give each `fx_*`
filter's argument list, and most `fx_*` commands read every argument positionally, so short
argument lists fail), then running each candidate on a 1 MP photo and looking at the result.

2.9.4 has no watercolor, pointillism or pop-art filter (`fx_watercolor`, `fx_pointillism`,
`fx_pop_art` are later community filters), so those rows use the nearest 2.9.4 filter and say so.
Arguments are fixed pixel sizes: G'MIC does not scale strokes with the image, imgvar does (its
stroke unit grows with sqrt(megapixels)), so at 12 MP the G'MIC strokes are finer relative to the
frame. The time comparison is still like for like: one whole-image effect against another.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GMIC_VERSION_CHOSEN_FOR = "2.9.4"


@dataclass(frozen=True)
class Peer:
    command: str  # G'MIC pipeline, as typed after `gmic input.png`
    reason: str  # one line: why this is the closest 2.9.4 equivalent

    def argv(self) -> list[str]:
        return shlex.split(self.command)


PEERS: dict[str, Peer] = {
    "oil": Peer(
        "fx_lylejk_painting 3,2,4,10",
        "G'MIC's oil-painting look: Kuwahara paint patches plus canvas relief, like imgvar's "
        "Kuwahara + brushed impasto (plain `kuwahara 5`, its core step, is ~3x faster)"),
    "van_gogh": Peer(
        "fx_brushify 7,0.25,2,24,50,12,0,2,4,0.3,0.7,40,0.9,0.9,1,5,0,0.3,0",
        "Brushify: elongated brush dabs laid along the image structure with full impasto "
        "lighting, the nearest to thick directional strokes (`stylize` needs a style image)"),
    "impressionist": Peer(
        "ellipsionism 8,3,0.5,0.8,1.2,1",
        "short oriented dabs of the local colour over the whole canvas: broken-colour brushwork"),
    "expressionist": Peer(
        "fx_painting 3,2,3,10,1",
        "G'MIC 'Painting' with boosted colour (3) and abstraction 3: loud colour, gestural "
        "dark contours"),
    "pointillist": Peer(
        "ellipsionism 4,4,0.5,1,1,1.2",
        "no fx_pointillism in 2.9.4; round, opaque, unoutlined ellipsionism dots are the nearest"),
    "stained_glass": Peer(
        "fx_stained_glass 20,0.1,1,1,1,0,0,0",
        "G'MIC's own Stained Glass (GUI defaults): watershed cells, lead lines, shading; slow"),
    "mosaic": Peer(
        "mosaic 45 fill \"I!=J(1) || I!=J(0,1)?[0,0,0]:I\"",
        "G'MIC's Mosaic: flat-colour Voronoi tesserae (density 45: ~12 px, near imgvar's tiles) "
        "with the grout lines from its own help example"),
    "pixel_art": Peer(
        "pixelize 8,8,1 quantize 24,1,-1",
        "blocks of 1/12.5 of the width, then a 24-colour median-cut palette: pixel art, not "
        "just a mosaic blur"),
    "watercolor": Peer(
        "fx_smooth_abstract 50,0,20,1,30",
        "no fx_watercolor in 2.9.4; Smooth Abstract's soft bleeding washes that keep edges are "
        "the nearest"),
    "ukiyo_e": Peer(
        "fx_poster_edges 20,60,5,0.5,10,6,0",
        "flat banded colour (posterize 6) with dark contour lines: the woodblock-print look"),
    "ink_wash": Peer(
        "fx_ink_wash 0.14,23,0,0.5,0.54,2.25,0,2,6,5,20",
        "G'MIC's own Ink Wash (GUI defaults): grey washes with pencil-like ink detail"),
    "pencil": Peer(
        "pencilbw 0.3,60",
        "G'MIC's B&W pencil drawing at its default size and amplitude"),
    "charcoal": Peer(
        "fx_charcoal 65,70,170,0,1,0,50,70,255,255,255,0,0,0,0",
        "G'MIC's own Charcoal (GUI defaults): grainy black on white paper"),
    "comic": Peer(
        "cartoon 3,150,20,0.25,1.5,8",
        "`cartoon` with its documented defaults spelt out (it fails with none here): flat "
        "quantized colour with black ink edges"),
    "pop_art": Peer(
        "warhol 1,1,2,20",
        "no fx_pop_art in 2.9.4; `warhol` with one tile (same framing) recolours flat luminance "
        "bands in bold random colours"),
}


def find_gmic() -> str | None:
    return shutil.which("gmic")


def gmic_version(gmic: str) -> str:
    try:
        out = subprocess.run([gmic, "v", "-", "echo_stdout", "$_version"], capture_output=True,
                             text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.isdigit() and len(out) >= 3:  # 294 -> 2.9.4
        return f"{out[:-2]}.{out[-2]}.{out[-1]}"
    return out or "unknown"


def time_binary() -> str | None:
    """GNU time, for the peak memory of the gmic process (None: use os.wait4 instead)."""
    path = "/usr/bin/time"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return None
    try:
        probe = subprocess.run([path, "-v", "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "Maximum resident set size" in probe.stderr else None


WARMUP_CROP = "0,0,255,255"  # the filter's one-off set-up (parsing G'MIC's library) runs on this


def gmic_filter_seconds(gmic: str, image: Path, pipeline: list[str], output: Path, timeout: float) -> float | None:
    """The filter's own time, by G'MIC's timer: `tic` / `toc` around a second application.

    A first application on a small crop pays the one-off costs (start-up, parsing the command
    library), as imgvar's warm-up does; the timed one covers the whole image and excludes
    loading and saving, which differ with the output (a flat result encodes faster than the
    photo), so subtracting a bare load-and-save baseline is biased. None if it cannot be read.
    """
    argv = [gmic, "-v", "-", str(image), "+crop", WARMUP_CROP, "local[-1]", *pipeline, "endlocal", "rm[-1]",
            "v", "+", "tic", "local", *pipeline, "endlocal", "toc", "v", "-", "output", str(output)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Elapsed time: ([0-9.]+) s", proc.stderr)
    return float(match.group(1)) if proc.returncode == 0 and match else None


@dataclass
class GmicRun:
    ok: bool
    seconds: float  # wall clock of the whole gmic process
    peak_kib: int | None
    cpu_seconds: float | None = None  # user + system, all threads
    timed_out: bool = False
    error: str = ""


def run_gmic(gmic: str, image: Path, pipeline: list[str], output: Path, timeout: float,
             gnu_time: str | None) -> GmicRun:
    """`gmic -v -1 image <pipeline> output output` timed by wall clock, with its peak RSS.

    Peak RSS comes from GNU time's report when `gnu_time` is given, else from the rusage that
    os.wait4 returns for the gmic process itself.
    """
    argv = [gmic, "-v", "-1", str(image), *pipeline, "output", str(output)]
    if gnu_time:
        argv = [gnu_time, "-v", *argv]
    with tempfile.TemporaryFile(mode="w+") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        except OSError as exc:
            return GmicRun(False, 0.0, None, error=str(exc))
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                seconds = time.perf_counter() - start
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)  # the session we started: gmic (and GNU time)
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return GmicRun(False, time.perf_counter() - start, None, timed_out=True,
                               error=f"killed after {timeout:.0f} s")
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    peak: int | None = usage.ru_maxrss  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    if gnu_time:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        peak = int(match.group(1)) if match else None
    if proc.returncode != 0:
        text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("\t")]
        errors = [ln for ln in lines if "rror" in ln]
        return GmicRun(False, seconds, peak, cpu, error=(errors or lines or [f"exit {proc.returncode}"])[-1])
    return GmicRun(True, seconds, peak, cpu)
