"""QR codes equal to segno's, with its mask choice computed with numpy.

`segno.make` tries the 8 data masks and keeps the one with the lowest penalty
(ISO/IEC 18004 7.8.3) in pure Python: about 6 of the 7 ms a page's QR code cost,
most of the answer page's time. `make` draws the code with mask 0, takes the mask
off again (a XOR over the encoding region), scores the 8 masks on arrays with
segno's own rules, and draws the winner: the same symbol as `segno.make(content,
error=...)`, module for module (tests/core/test_qr.py compares them), in about
a third of the time. The rules copied are those of segno 1.6.6, which
requirements.txt pins (a test checks the pin): the scores count, as segno's do,
the remainder modules its matrix still holds as 2 when it chooses.
"""

import copy
import functools

import numpy as np
import segno
from segno import encoder

_N3_PATTERN = bytes((1, 0, 1, 1, 1, 0, 1))


@functools.cache
def _layout(width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a QR code `width` modules wide, from segno's own functions: the encoding region, what the modules
    outside it hold while segno chooses the mask (finder, timing and alignment patterns; format and version
    areas still empty), and the 8 masks' modules inside the region."""
    function = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    outside = np.array(function, dtype=np.uint8)
    function[-8][8] = 0x1  # the dark module's place is no data module (segno's function matrix)
    region = np.array(function, dtype=np.uint8) > 0x1
    masks = (
        np.array(
            [
                [[bool(pattern(i, j)) for j in range(width)] for i in range(width)]
                for pattern in encoder.get_data_mask_functions(False)
            ]
        )
        & region
    )
    return region, outside, masks


def _runs_scores(lines: np.ndarray) -> np.ndarray:
    """N1 of each matrix of `lines` (masks x rows x modules), along its rows: a run of 5 + i equal modules
    scores 3 + i."""
    count, height, width = lines.shape
    starts = np.ones((count, height, width + 1), dtype=bool)
    starts[:, :, 1:width] = lines[:, :, 1:] != lines[:, :, :-1]
    positions = np.flatnonzero(starts)
    lengths = np.diff(positions)  # a row's last run ends where the next row's first starts: a "run" of 1 between
    matrix = positions[:-1] // (height * (width + 1))
    return np.bincount(matrix, weights=np.where(lengths >= 5, lengths - 2, 0), minlength=count).astype(np.int64)


def _finder_like_scores(lines: bytes, size: int, count: int) -> list[int]:
    """N3 of each of `count` matrices whose rows (`size` modules each) follow one another in `lines`, each row
    searched as segno 1.6.6 searches it (mask_scores.n3_pattern_occurrences); one find() over all of them."""
    scores = [0] * count
    per_matrix = size * size
    index = lines.find(_N3_PATTERN)
    while index != -1:
        row_start = index - index % size
        row_end = row_start + size
        position = index - row_start
        if position > size - 7:  # runs into the next row: no match within a row
            index = lines.find(_N3_PATTERN, index + 1)
            continue
        offset = index + 7
        if (
            position in (0, size - 7)
            or not any(lines[max(index - 4, row_start) : index])
            or not any(lines[offset : min(offset + 4, row_end)])
        ):
            scores[index // per_matrix] += 40
        else:
            offset = index + 4
        # segno searches each row on its own: a jump past the row's end starts the next row from its beginning.
        index = lines.find(_N3_PATTERN, min(offset, row_end))
    return scores


def penalties(matrices: np.ndarray) -> list[int]:
    """The penalty of each masked matrix (masks x rows x modules) as segno.encoder.evaluate_mask computes it:
    N1 + N2 + N3 + N4 (ISO/IEC 18004 7.8.3.1, with segno's reading of it)."""
    count, size, _ = matrices.shape
    columns = np.ascontiguousarray(matrices.transpose(0, 2, 1))
    n1 = _runs_scores(matrices) + _runs_scores(columns)
    corner = matrices[:, 1:, 1:]
    blocks = (corner == matrices[:, 1:, :-1]) & (corner == matrices[:, :-1, 1:]) & (corner == matrices[:, :-1, :-1])
    n2 = 3 * np.count_nonzero(blocks, axis=(1, 2))
    rows_n3 = _finder_like_scores(matrices.tobytes(), size, count)
    columns_n3 = _finder_like_scores(columns.tobytes(), size, count)
    # The remainder modules count as 2 or 3 dark ones, as in segno's sum.
    darks = matrices.sum(axis=(1, 2), dtype=np.int64)
    return [
        int(n1[k])
        + int(n2[k])
        + rows_n3[k]
        + columns_n3[k]
        + 10 * int(abs(float(int(darks[k])) / size**2 * 100 - 50) / 5)
        for k in range(count)
    ]


def make(content: str, *, error: str = "m") -> segno.QRCode:
    """The QR code segno.make(content, error=error) draws (a Micro QR code is left to segno)."""
    first = segno.make(content, error=error, mask=0)
    if first.is_micro:
        return segno.make(content, error=error)
    width = first.symbol_size(border=0)[0]
    region, outside, masks = _layout(width)
    # The matrix as segno scores it: the data modules with mask 0 taken off again, the others as they were then.
    unmasked = np.where(region, np.array(first.matrix, dtype=np.uint8) ^ masks[0], outside)
    scores = penalties(unmasked[np.newaxis] ^ masks)
    best = scores.index(min(scores))  # the first of equal scores, as segno keeps
    if best == 0:
        return first
    # What segno.encoder._encode does with the chosen mask: apply it, then write the format and version information.
    matrix = tuple(bytearray(row) for row in np.where(region, unmasked ^ masks[best], outside).tolist())
    encoder.add_format_info(matrix, first._version, first._error, best)
    encoder.add_version_info(matrix, first._version)
    code = copy.copy(first)  # the same version, error level and mode; only the mask and the modules differ
    code.matrix, code.mask = matrix, best
    return code
