"""Offline object removal: the region the user's mask marks is filled from its surroundings.

Each marked region is filled across its narrow side: a tall thing (a tower, a pole, a person)
row by row from the pixels just left and right of it, a wide one (a wire, a car) column by
column from above and below, so the sky's gradient or the ground's horizon carries through;
OpenCV's inpainting then smooths the seams. Right for small and thin things; a large object
leaves a smooth patch, which a cloud edit repaints properly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image

from ..base import Change, RemoveOutcome, RemoveRequest

if TYPE_CHECKING:
    import numpy as np

# The mask grows by this share of the shorter side before the fill, so no rim of the removed
# object survives at its edge.
GROW = 0.01


class LocalRemover:
    version = "inpaint-1"

    def remove(self, image: Image.Image, request: RemoveRequest) -> RemoveOutcome:
        import cv2
        import numpy as np

        rgb = np.asarray(image.convert("RGB")).astype(np.float32)
        mask = (np.asarray(request.mask.convert("L").resize(image.size)) >= 128).astype(np.uint8)
        grow = max(1, round(GROW * min(image.size)))
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
        filled = rgb.copy()
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, count):
            x, y, w, h = stats[i, :4]
            region = labels[y:y + h, x:x + w] == i
            across_rows = h >= w  # tall: fill each row from its left and right neighbours
            _fill_across(filled, region, x, y, across_rows)
        seams = cv2.inpaint(np.clip(filled, 0, 255).astype(np.uint8), _rim(mask), 3, cv2.INPAINT_TELEA)
        result = Image.fromarray(seams)
        if image.mode == "RGBA":
            result.putalpha(image.getchannel("A"))
        what = request.object_name or "the marked object"
        return RemoveOutcome(result, Change("remove_object", f"with {what} removed", True, {
            "object": request.object_name, "where": request.where, "filled_share": round(float(mask.mean()), 4),
            "summary_fr": f"sans {what}"}))


def _fill_across(pixels: np.ndarray, region: np.ndarray, x: int, y: int, across_rows: bool) -> None:
    """Each line of `region` (rows or columns) becomes the straight blend of the two pixels that
    bound it outside the region; at the image's edge, the one bound there is."""
    import numpy as np

    # A column fill is a row fill of the transposed picture: a view, so writes land in `pixels`.
    plane = pixels if across_rows else pixels.transpose(1, 0, 2)
    lines = region if across_rows else region.T
    first_row, first_col = (y, x) if across_rows else (x, y)
    limit = plane.shape[1]
    for i, line in enumerate(lines):
        cols = np.flatnonzero(line)
        if cols.size == 0:
            continue
        a, b = cols[0], cols[-1]
        row, lo, hi = first_row + i, first_col + a - 1, first_col + b + 1
        left = plane[row, lo] if lo >= 0 else None
        right = plane[row, hi] if hi < limit else None
        if left is None and right is None:
            continue
        left = right if left is None else left
        right = left if right is None else right
        t = np.linspace(0.0, 1.0, b - a + 3)[1:-1, None]
        plane[row, first_col + a:first_col + b + 1] = (1 - t) * left + t * right


def _rim(mask: np.ndarray) -> np.ndarray:
    """A thin band around the filled region's edge, where the fill meets the photo."""
    import cv2
    import numpy as np

    kernel = np.ones((5, 5), np.uint8)
    return (cv2.dilate(mask, kernel) - cv2.erode(mask, kernel)).astype(np.uint8) * 255
