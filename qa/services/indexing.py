"""The stored search text of a question: what the archive search and suggestions match."""

from django.utils.html import strip_tags

from ..models import Question
from ..text import fold


def build_search_text(question: Question) -> str:
    answer = getattr(question, "answer", None)
    answer_text = strip_tags(answer.body) if answer is not None else ""
    return fold(" ".join([question.public_title, question.public_body, answer_text]))


def question_reindex(*, question: Question) -> None:
    """Recompute and save the folded search text (call after publishing or editing the public version)."""
    question.search_text = build_search_text(question)
    Question.objects.filter(pk=question.pk).update(search_text=question.search_text)
