"""What the routing reads of a question: folded words and word pairs, hashed, never stored as words.

Hashing (instead of a vocabulary) is what keeps the stored model free of text: a model file holds
weights for bucket numbers, and no word — a name, a street — can be read back from it. Words with
digits (phone numbers, parcel and ID numbers) are not features at all.
"""

import unicodedata

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from ..services.submission import BODY_MAX, TITLE_MAX
from ..text import fold

N_FEATURES = 2**18
# A version of the feature scheme: a stored model is used only with the scheme it was trained with.
SCHEME = 1


def _fold_table() -> dict[int, str]:
    """Every accented Latin letter to its base letter, đ to d, and combining marks to nothing."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = "".join(ch for ch in unicodedata.normalize("NFD", chr(code)) if unicodedata.category(ch) != "Mn")
        if base and base != chr(code):
            table[code] = base.lower()
    table.update(dict.fromkeys(range(768, 880), ""))
    return table


_TABLE = _fold_table()


def quick_fold(text: str) -> str:
    """qa.text.fold's letters in one C-level pass (punctuation is left to the tokenizer): 20× faster, and
    the training reads a million texts. tests/qa/routing checks it agrees with fold on every word."""
    return text.lower().translate(_TABLE)


_VECTORIZER = HashingVectorizer(
    n_features=N_FEATURES,
    ngram_range=(1, 2),
    preprocessor=quick_fold,
    token_pattern=r"(?u)\b[^\W\d_]{2,}\b",  # noqa: S106 - a regular expression, not a password
    alternate_sign=False,
    norm="l2",
    dtype=np.float32,
)


def question_text(title: str | None, body: str | None) -> str:
    """Title (twice: it is the densest part) and body, cut to the form's limits."""
    title = (title or "")[:TITLE_MAX]
    return f"{title} {title} {(body or '')[:BODY_MAX]}"


def enough_words(title: str | None, body: str | None) -> bool:
    """Two words at least: one word ("đất") says too little to route, and gets no suggestion."""
    return len(fold(f"{(title or '')[:TITLE_MAX]} {(body or '')[:BODY_MAX]}").split()) >= 2


def vectorize(texts: list[str]) -> sp.csr_matrix:
    """Sparse rows (float32, L2-normalised) of hashed folded words and word pairs."""
    return _VECTORIZER.transform(texts)
