"""What visitors do to published questions: view counts and "was this helpful?"."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts import ratelimit
from core.errors import DomainError

from ..models import HelpfulVote, Question, QuestionStatus

logger = logging.getLogger(__name__)

VIEW_FLUSH_EVERY = 10


def question_view_record(*, question_id: int) -> None:
    """Count a page view in the cache; write to the database once per VIEW_FLUSH_EVERY views.

    A page view therefore costs a cache increment, not a row write.
    """
    key = f"qa:views:{question_id}"
    if cache.add(key, 1, timeout=None):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=None)
            count = 1
    if count % VIEW_FLUSH_EVERY == 0:
        try:
            Question.objects.filter(pk=question_id).update(view_count=F("view_count") + VIEW_FLUSH_EVERY)
        except DatabaseError as exc:
            # A page served from the cache while the database is down stays served; ten views go uncounted.
            logger.warning("View count of question %s not saved: %s", question_id, exc)


def pending_views(question_id: int) -> int:
    return (cache.get(f"qa:views:{question_id}") or 0) % VIEW_FLUSH_EVERY


class AlreadyVoted(DomainError):
    code = "already_voted"


def helpful_vote(*, question: Question, voter_key: str, helpful: bool, client_ip: str | None = None) -> Question:
    """Record one "was this helpful?" vote per voter (user id or browser cookie).

    A browser that drops its cookie gets a new identity, so the votes on one answer are also
    limited per client IP (QA_VOTE_RATE_PER_IP; generous, since many phones share a carrier's address).
    """
    if question.status != QuestionStatus.PUBLISHED:
        raise DomainError(_("Only published answers can be rated."), code="not_published")
    if client_ip:
        ratelimit.hit("qa_vote_ip", f"{client_ip}:{question.pk}", settings.QA_VOTE_RATE_PER_IP)
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(question=question, voter_key=voter_key[:80], helpful=helpful)
            field = "helpful_yes" if helpful else "helpful_no"
            Question.objects.filter(pk=question.pk).update(**{field: F(field) + 1})
    except IntegrityError:
        raise AlreadyVoted(_("You have already voted on this answer. Thank you!")) from None
    question.refresh_from_db(fields=["helpful_yes", "helpful_no"])
    return question
