"""core.qr draws exactly segno's QR code (its mask chosen with numpy), whatever the content's length."""

import random
import string

import numpy as np
import pytest
import segno
from segno import encoder

from core import qr


def _contents() -> list[str]:
    rng = random.Random(20261208)
    contents = ["https://hoidap.example.vn/track/HP-STP-2026-000001/?token=abc", "x", "http://testserver/dialogues/7/"]
    for i in range(240):
        if i % 3 == 0:
            code = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(2, 6)))
            contents.append(f"http://127.0.0.1:{rng.randint(1000, 65000)}/questions/HP-{code}-2026-{i:06d}/")
        elif i % 3 == 1:
            token = "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=rng.randint(10, 60)))
            contents.append(f"https://hoidap.haiphong.gov.vn/track/HP-STNMT-2026-{i:06d}/?token={token}")
        else:  # up to version 10 or so: the version information is written too
            contents.append("".join(rng.choices(string.printable[:94], k=rng.randint(1, 300))))
    return contents


@pytest.mark.parametrize("error", ["m", "l", "h"])
def test_the_code_is_segnos_module_for_module(error):
    for content in _contents():
        expected, drawn = segno.make(content, error=error), qr.make(content, error=error)
        assert (drawn.version, drawn.error, drawn.mask) == (expected.version, expected.error, expected.mask), content
        assert drawn.matrix == expected.matrix, content
        assert drawn.svg_inline(scale=1, omitsize=True) == expected.svg_inline(scale=1, omitsize=True)


def test_the_penalties_are_segnos():
    rng = np.random.default_rng(7)
    for size in (21, 25, 33, 57):
        # Random modules, with some 2s and 3s (segno's remainder modules while it chooses).
        matrices = rng.choice(np.array([0, 1, 2, 3], dtype=np.uint8), p=[0.48, 0.48, 0.02, 0.02], size=(8, size, size))
        expected = [encoder.evaluate_mask(tuple(bytearray(row) for row in m.tolist()), size, size) for m in matrices]
        assert qr.penalties(matrices) == expected


def test_finder_like_patterns_in_a_row_are_counted_as_segno_counts_them():
    size = 21
    line = bytearray(size)
    # Overlapping patterns, one at the row's end, one with dark modules around it.
    for start, bits in (
        (0, b"\x01\x00\x01\x01\x01\x00\x01\x00\x01\x01\x01\x00\x01"),
        (14, b"\x01\x00\x01\x01\x01\x00\x01"),
    ):
        line[start : start + len(bits)] = bits
    matrix = np.zeros((1, size, size), dtype=np.uint8)
    matrix[0, 3] = np.frombuffer(bytes(line), dtype=np.uint8)
    matrix[0, :, 10] = 1
    expected = encoder.evaluate_mask(tuple(bytearray(row) for row in matrix[0].tolist()), size, size)
    assert qr.penalties(matrix) == [expected]
