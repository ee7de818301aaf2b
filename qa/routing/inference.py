"""Suggest the agency and topic of a question being typed, from the current RoutingModel.

The model is loaded once per process and kept by version: which version is current is asked of the
database at most every REFRESH_SECONDS, so a suggestion costs no query at all most of the time (the
vote approach costs its archive search). Names and codes are read when a version is loaded.
"""

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.conf import settings

from accounts.models import Agency

from ..models import RoutingModel, Topic
from . import knn, linear
from .features import SCHEME, enough_words, question_text, vectorize

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 30.0
TOP = 3


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    code: str
    score: float


@dataclass(frozen=True)
class Suggestion:
    """Up to three agencies and topics, best first; `confident`: preselect the first agency."""

    agencies: list[Choice] = field(default_factory=list)
    topics: list[Choice] = field(default_factory=list)
    model_version: int | None = None
    confident: bool = False

    @property
    def empty(self) -> bool:
        return not self.agencies


@dataclass
class Loaded:
    version: int
    approach: str
    agency: linear.Head
    topic: linear.Head
    agencies: dict[int, tuple[str, str]]  # active agencies: id → (name, code)
    topics: dict[int, tuple[str, str]]  # active topics: id → (name, slug)
    successors: dict[int, int | None]


_lock = threading.Lock()
_state: dict = {"loaded": None, "checked": 0.0, "latest": None}


def _latest_version() -> int | None:
    now = time.monotonic()
    if now - _state["checked"] > REFRESH_SECONDS:
        _state["latest"] = RoutingModel.objects.order_by("-trained_at", "-id").values_list("pk", flat=True).first()
        _state["checked"] = now
    return _state["latest"]


def _load(version: int) -> Loaded | None:
    row = RoutingModel.objects.filter(pk=version).values("approach", "weights").first()
    if row is None or not row["weights"]:
        return None
    agency, topic, scheme = linear.load(row["weights"])
    if scheme != SCHEME:
        return None
    from .history import successor_map

    return Loaded(
        version=version,
        approach=row["approach"],
        agency=agency,
        topic=topic,
        agencies={a.pk: (a.name, a.code) for a in Agency.objects.filter(is_active=True).only("name", "code")},
        topics={t.pk: (t.name, t.slug) for t in Topic.objects.filter(is_active=True).only("name", "slug")},
        successors=successor_map(),
    )


def current() -> Loaded | None:
    """The current model, loaded once per process and version."""
    version = _latest_version()
    if version is None:
        return None
    loaded = _state["loaded"]
    if loaded is None or loaded.version != version:
        with _lock:
            loaded = _state["loaded"]
            if loaded is None or loaded.version != version:
                loaded = _load(version)
                _state["loaded"] = loaded
    return loaded


def forget() -> None:
    """Drop the process's model (tests, and after a training in this process)."""
    _state.update(loaded=None, checked=0.0, latest=None)


def _ranked(scores: dict[int, float], names: dict[int, tuple[str, str]]) -> list[Choice]:
    known = [(key, score) for key, score in scores.items() if key in names and score > 0]
    known.sort(key=lambda item: -item[1])
    return [Choice(key, names[key][0], names[key][1], round(float(score), 3)) for key, score in known[:TOP]]


def _linear_scores(head: linear.Head, rows: sp.spmatrix) -> dict[int, float]:
    probabilities = head.probabilities(rows)[0]
    best = np.argsort(-probabilities)[: TOP + 3]  # a few spare: some classes may be inactive now
    return {int(head.classes[i]): float(probabilities[i]) for i in best}


def suggest(title: str | None, body: str | None = "") -> Suggestion:
    """Top agencies and topics for a question; empty with no model, too little text or nothing known.

    Never raises: a suggestion is a convenience, and a broken model must not stop anyone from asking.
    """
    try:
        return _suggest(title, body)
    except Exception:
        logger.exception("routing: suggestion failed")
        return Suggestion()


def _suggest(title: str | None, body: str | None) -> Suggestion:
    if not enough_words(title, body):
        return Suggestion()
    model = current()
    if model is None:
        return Suggestion()
    text = question_text(title, body)
    agency_scores: dict[int, float] = {}
    topic_scores: dict[int, float] = {}
    if model.approach == RoutingModel.Approach.KNN:
        agency_scores, topic_scores = knn.vote(f"{title or ''} {body or ''}", model.successors)
    if not agency_scores:
        rows = vectorize([text])
        agency_scores, topic_scores = _linear_scores(model.agency, rows), _linear_scores(model.topic, rows)
    agencies = _ranked(agency_scores, model.agencies)
    topics = _ranked(topic_scores, model.topics)
    confident = bool(agencies) and agencies[0].score >= settings.QA_ROUTING_CONFIDENT
    return Suggestion(agencies, topics, model.version, confident)


def suggest_for_form(data: Mapping[str, str], offered: set[str] | None = None) -> tuple[Suggestion, dict[str, str]]:
    """The "Suggest an agency" button of a form without JavaScript: the suggestion for the posted title and
    body, and the form's initial values (everything posted, kept as typed) with the first agency and topic
    preselected when confident and nothing was chosen. `offered`: the agency ids the form offers (None: all)."""
    found = suggest(data.get("title"), data.get("body"))
    initial = {key: data[key] for key in data if key not in ("csrfmiddlewaretoken", "suggest")}
    first = str(found.agencies[0].id) if found.agencies else ""
    if found.confident and not initial.get("agency") and (offered is None or first in offered):
        initial["agency"] = first
        if found.topics and not initial.get("topic"):
            initial["topic"] = str(found.topics[0].id)
    return found, initial
