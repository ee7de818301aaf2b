"""Which agency and topic a question is for, learnt from the agencies that answered past questions.

Docs: docs/intake.md. Two approaches are built and measured on the same held-out questions at every
training (qa.routing.training): a linear classifier over hashed words and word pairs (qa.routing.linear)
and a vote of the most similar published answers found by the archive search (qa.routing.knn). The
better one is stored as the current RoutingModel; qa.routing.suggest answers the ask form, the API and
the staff registration form from it.

Public: suggest, Suggestion, forget, train, train_if_due, answered_since.
"""

from .inference import Suggestion, forget, suggest, suggest_for_form  # noqa: F401
from .training import answered_since, train, train_if_due  # noqa: F401
