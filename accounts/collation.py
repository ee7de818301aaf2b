"""Vietnamese alphabetical order, for every list and select of agencies and topics.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z, only in
borrowed words, in their Latin places), so "Đ" comes after every "D" and "Ư" after every "U".
Tones come after the letters: names are first compared without tones, and only names spelled
with the same letters are then ordered by their tones, syllable by syllable, in the dictionary
order ngang, huyền, hỏi, ngã, sắc, nặng ("Ba" < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ" < "Bác").
Plain Python, so SQLite and PostgreSQL agree and no database collation needs installing.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Combining marks that make a new letter (breve, circumflex, horn) and those that mark the tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def _letters_and_tones(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _TONES:
            if tones:
                tones[-1] = _TONES[char]
            continue
        if char in _LETTER_MARKS and letters and letters[-1][0] == 2:
            # a + ˘ = ă, o + ̛ = ơ…: a letter of its own, ranked after its base letter.
            combined = unicodedata.normalize("NFC", _ALPHABET[letters[-1][1] - 100] + char)
            if combined in _RANK:
                letters[-1] = (2, 100 + _RANK[combined])
            continue
        if unicodedata.combining(char):
            continue
        if char == "đ":
            letters.append((2, 100 + _RANK["đ"]))
        elif char in _RANK:
            letters.append((2, 100 + _RANK[char]))
        elif char.isdigit():
            letters.append((1, int(char)))
        elif char.isspace() or not char.isalnum():
            # Word breaks sort before any letter ("Sở Y tế" before "Sở Ytế"); runs of them count once.
            if letters and letters[-1] != (0, 0):
                letters.append((0, 0))
            continue
        else:
            letters.append((3, ord(char)))
        tones.append(0)
    while letters and letters[-1] == (0, 0):
        letters.pop()
    return letters, tones


@functools.lru_cache(maxsize=8192)
def vi_sort_key(text: str) -> tuple:
    """Sorts strings in Vietnamese alphabetical order (then by tones, then case: a stable total order).

    Cached: the same few hundred agency and topic names are sorted on every page that lists them."""
    letters, tones = _letters_and_tones(text or "")
    return (tuple(letters), tuple(tones), text or "")


def sorted_vi(items: Iterable[T], name: Callable[[T], str] = lambda item: item.name) -> list[T]:
    """Items sorted by their name in Vietnamese order."""
    return sorted(items, key=lambda item: vi_sort_key(name(item)))
