"""Profanity filter for public text of live questions.

Words from DIALOGUES_PROFANITY_WORDS (or the built-in list) are masked in what
watchers see; the moderator always sees the original. Matching is on whole
words, case-insensitive, with diacritics kept: folding them away would turn
ordinary Vietnamese words (đeo, đi) into false matches.
"""

import re
import unicodedata
from functools import lru_cache

from django.conf import settings

# A short default list of common Vietnamese and English insults and their usual abbreviations.
DEFAULT_WORDS = (
    "đm",
    "đmm",
    "dmm",
    "vcl",
    "vkl",
    "vãi lồn",
    "đéo",
    "địt",
    "đụ",
    "lồn",
    "cặc",
    "buồi",
    "đĩ",
    "óc chó",
    "mẹ mày",
    "thằng chó",
    "fuck",
    "shit",
)


def _words() -> tuple[str, ...]:
    configured = getattr(settings, "DIALOGUES_PROFANITY_WORDS", None)
    return tuple(configured) if configured else DEFAULT_WORDS


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    cleaned = sorted(
        {unicodedata.normalize("NFC", w).strip().lower() for w in words if w and w.strip()}, key=len, reverse=True
    )
    if not cleaned:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE | re.UNICODE)


def _mask(match: re.Match) -> str:
    word = match.group(0)
    return "".join(ch if ch.isspace() or i == 0 else "*" for i, ch in enumerate(word))


def mask(text: str) -> str:
    """The text with every listed word replaced by its first letter and asterisks."""
    if not text:
        return text
    pattern = _pattern(_words())
    if pattern is None:
        return text
    return pattern.sub(_mask, unicodedata.normalize("NFC", text))
