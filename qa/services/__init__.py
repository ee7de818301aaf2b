"""Writes of the Q&A app. Views, API views, admin and tasks call these, nothing else."""

from .answers import (  # noqa: F401
    StaleAnswer,
    answer_approve,
    answer_attachment_remove,
    answer_draft_save,
    answer_return,
    answer_send,
    answer_submit_for_review,
)
from .asker import question_follow_up, question_rate, question_receive_information  # noqa: F401
from .groups import group_leave, group_merge, question_answer_by_reference  # noqa: F401
from .indexing import question_reindex  # noqa: F401
from .moderation import (  # noqa: F401
    BulkResult,
    answer_template_create,
    answer_template_delete,
    answer_template_update,
    internal_note_add,
    question_accept,
    question_assign,
    question_public_version_save,
    question_publish,
    question_reject,
    question_reject_many,
    question_request_information,
    question_transfer,
    question_unpublish,
)
from .privacy import (  # noqa: F401
    ErasureNotPossible,
    contact_erase,
    contacts_retention_sweep,
    erasure_confirm,
    erasure_question,
    erasure_request,
    personal_data_accessed,
)
from .public import helpful_vote, question_view_record  # noqa: F401
from .registration import question_register  # noqa: F401
from .submission import (  # noqa: F401
    question_confirm_email,
    question_submit,
    question_withdraw,
    tracking_links_request,
)
