"""The other approach: a vote of the most similar published answers (the archive's "similar questions").

No training: the archive search (qa.search.archive.similar) finds the published questions sharing the
rarest words of the text, and each votes for its current agency and its topic, the closest most (1/rank).
Measured against the linear classifier at every training (qa.routing.training); it only sees published
questions, and a search per suggestion.
"""

from collections import defaultdict
from collections.abc import Callable

from ..search import archive as archive_search
from ..selectors import published_questions
from .features import TITLE_MAX

NEIGHBOURS = 15


def vote(
    text: str, successors: dict[int, int | None], *, skip: Callable[[int], bool] = lambda question_id: False
) -> tuple[dict[int, float], dict[int, float]]:
    """({agency id: share}, {topic id: share}) from the NEIGHBOURS most similar published questions.

    `skip(id)` drops neighbours (the held-out split when measuring: they must not vote for each other).
    """
    found = archive_search.similar(
        published_questions().select_related(None).only("id", "agency_id", "topic_id"),
        text[: TITLE_MAX * 2],
        limit=NEIGHBOURS * 2,
    )
    agencies: dict[int, float] = defaultdict(float)
    topics: dict[int, float] = defaultdict(float)
    rank = 0
    for question in found:
        if skip(question.pk):
            continue
        rank += 1
        agency_id = successors.get(question.agency_id, question.agency_id)
        if agency_id is not None:
            agencies[agency_id] += 1.0 / rank
        topics[question.topic_id] += 1.0 / rank
        if rank == NEIGHBOURS:
            break
    return _shares(agencies), _shares(topics)


def _shares(votes: dict[int, float]) -> dict[int, float]:
    total = sum(votes.values())
    return {key: value / total for key, value in votes.items()} if total else {}
