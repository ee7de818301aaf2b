"""Training: split the history, fit the linear classifier, measure both approaches, keep the better.

Every tenth answered question (history.is_held_out) is held out: the classifier never sees it, and both
approaches are scored on it (top-1 and top-3 agency, top-1 topic). The better approach by top-3 then top-1
agency accuracy becomes the current model; its figures, the other's and the training date are on the
RoutingModel row the admin shows. Too little history (QA_ROUTING_MIN_QUESTIONS) trains nothing.
"""

import datetime
import itertools
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Question, RoutingModel
from . import history, knn, linear
from .features import SCHEME, vectorize

logger = logging.getLogger(__name__)

CHUNK = 50_000
# The kNN vote costs a search per question: it is measured on at most this many held-out questions.
KNN_SAMPLE = 500


@dataclass
class Split:
    """Vectorised training and held-out rows with their labels; held-out texts kept for the kNN vote."""

    train_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)
    train_rows: list = field(default_factory=list)
    held_rows: list = field(default_factory=list)
    train_agency: list[int] = field(default_factory=list)
    train_topic: list[int] = field(default_factory=list)
    held_agency: list[int] = field(default_factory=list)
    held_topic: list[int] = field(default_factory=list)
    held_texts: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.train_ids) + len(self.held_ids)


def split(examples: Iterable[history.Example]) -> Split:
    """Vectorise in chunks (the texts of a million questions are never all in memory) and split by id."""
    result = Split()
    chunk: list[history.Example] = []

    def flush() -> None:
        train = [e for e in chunk if not history.is_held_out(e.id)]
        held = [e for e in chunk if history.is_held_out(e.id)]
        for part, ids, rows, agency, topic in (
            (train, result.train_ids, result.train_rows, result.train_agency, result.train_topic),
            (held, result.held_ids, result.held_rows, result.held_agency, result.held_topic),
        ):
            if part:
                rows.append(vectorize([e.text for e in part]))
                ids += [e.id for e in part]
                agency += [e.agency_id for e in part]
                topic += [e.topic_id for e in part]
        if len(result.held_texts) < KNN_SAMPLE:
            result.held_texts += [e.text for e in held][: KNN_SAMPLE - len(result.held_texts)]
        chunk.clear()

    for example in examples:
        chunk.append(example)
        if len(chunk) == CHUNK:
            flush()
    flush()
    return result


def top_k_accuracy(probabilities: np.ndarray, classes: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Share of rows whose true class is among the k most probable."""
    if not len(truth):
        return 0.0
    best = np.argsort(-probabilities, axis=1)[:, :k]
    return float(np.mean([t in classes[row] for t, row in zip(truth, best, strict=True)]))


def _measure_linear(agency: linear.Head, topic: linear.Head, data: Split) -> dict:
    if not data.held_rows:
        return {"agency_top1": 0.0, "agency_top3": 0.0, "topic_top1": 0.0}
    rows = sp.vstack(data.held_rows).tocsr()
    truth_agency, truth_topic = np.array(data.held_agency), np.array(data.held_topic)
    p_agency, p_topic = agency.probabilities(rows), topic.probabilities(rows)
    return {
        "agency_top1": top_k_accuracy(p_agency, agency.classes, truth_agency, 1),
        "agency_top3": top_k_accuracy(p_agency, agency.classes, truth_agency, 3),
        "topic_top1": top_k_accuracy(p_topic, topic.classes, truth_topic, 1),
    }


def measure_knn(data: Split, successors: dict[int, int | None]) -> dict:
    """The archive vote on the first KNN_SAMPLE held-out questions; held-out neighbours never vote."""
    hits1 = hits3 = topic_hits = 0
    n = len(data.held_texts)
    for text, agency_id, topic_id in zip(data.held_texts, data.held_agency, data.held_topic, strict=False):
        agencies, topics = knn.vote(text, successors, skip=history.is_held_out)
        ranked = sorted(agencies, key=agencies.__getitem__, reverse=True)
        hits1 += ranked[:1] == [agency_id]
        hits3 += agency_id in ranked[:3]
        topic_hits += bool(topics) and max(topics, key=topics.__getitem__) == topic_id
    if not n:
        return {"agency_top1": 0.0, "agency_top3": 0.0, "topic_top1": 0.0, "held_out": 0}
    return {"agency_top1": hits1 / n, "agency_top3": hits3 / n, "topic_top1": topic_hits / n, "held_out": n}


def fit(data: Split) -> tuple[linear.Head, linear.Head]:
    """The classifier on the training part only (data.train_*; the held-out rows are not passed)."""
    sizes = np.cumsum([0] + [rows.shape[0] for rows in data.train_rows])
    agency, topic = np.array(data.train_agency), np.array(data.train_topic)
    agency_chunks = [agency[a:b] for a, b in itertools.pairwise(sizes)]
    topic_chunks = [topic[a:b] for a, b in itertools.pairwise(sizes)]
    return linear.fit_head(data.train_rows, agency_chunks), linear.fit_head(data.train_rows, topic_chunks)


def train(
    examples: Iterable[history.Example] | None = None, *, compare_knn: bool = True, min_questions: int | None = None
) -> RoutingModel | None:
    """Train on the answered history (or `examples`), measure, store the better approach; None if too little.

    `compare_knn` measures the archive vote too (it searches the archive: only meaningful when the
    examples are the database's own questions).
    """
    started = time.monotonic()
    minimum = settings.QA_ROUTING_MIN_QUESTIONS if min_questions is None else min_questions
    successors = history.successor_map()
    if examples is None:
        examples = history.answered_examples(settings.QA_ROUTING_MAX_QUESTIONS)
    data = split(examples)
    if data.size < minimum or not data.train_ids:
        logger.info("routing: %d answered questions, fewer than %d: no model", data.size, minimum)
        return None
    agency, topic = fit(data)
    figures = {"linear": _measure_linear(agency, topic, data)}
    if compare_knn:
        figures["knn"] = measure_knn(data, successors)
    best = max(figures, key=lambda name: (figures[name]["agency_top3"], figures[name]["agency_top1"]))
    chosen = figures[best]
    with transaction.atomic():
        model = RoutingModel.objects.create(
            approach=best,
            trained_at=timezone.now(),
            questions=len(data.train_ids),
            held_out=len(data.held_ids),
            agency_top1=chosen["agency_top1"],
            agency_top3=chosen["agency_top3"],
            topic_top1=chosen["topic_top1"],
            comparison=figures,
            seconds=round(time.monotonic() - started, 2),
            # The linear weights are kept even when the vote wins: the vote falls back to them on no match.
            weights=linear.dump(agency, topic, SCHEME),
        )
    logger.info("routing: model v%s (%s) trained on %d questions", model.pk, best, model.questions)
    return model


def answered_since(moment: datetime.datetime) -> int:
    """Questions answered after `moment` (what makes a retrain due)."""
    return Question.objects.filter(status__in=history.ANSWERED, answered_at__gt=moment).count()


def train_if_due() -> RoutingModel | None:
    """Retrain when QA_ROUTING_RETRAIN_AFTER questions were answered since the current model (or there is none)."""
    current = RoutingModel.objects.order_by("-trained_at", "-id").first()
    if current is not None and answered_since(current.trained_at) < settings.QA_ROUTING_RETRAIN_AFTER:
        return None
    return train()
