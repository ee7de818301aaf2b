"""Text normalisation: NFC on input, and a folded form for diacritics-free search."""

import re
import unicodedata

from core.input import clean_text

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def nfc(value: str | None) -> str:
    """Every service's input path: NFC, bidi controls removed, outer whitespace trimmed; None becomes ''.

    A null character raises ValidationError (core.input.clean_text), which the web, the API and the
    sockets all show as a field error.
    """
    return clean_text(value)


def fold(value: str | None) -> str:
    """Lower-case, strip diacritics and fold đ→d, so "Hỏi đáp" and "hoi dap" compare equal.

    Punctuation becomes space and runs of space collapse: the result is the
    stored search text and the form queries are matched in.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
