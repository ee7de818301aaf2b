"""Writes of the Q&A app. Views, API views, admin and tasks call these, nothing else."""

from .indexing import question_reindex  # noqa: F401
from .public import helpful_vote, question_view_record  # noqa: F401
from .submission import (  # noqa: F401
    question_confirm_email,
    question_submit,
    question_withdraw,
    tracking_links_request,
)
