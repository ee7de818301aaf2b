"""Every write of the dialogues app. Web views, the API, the socket and admin call these.

The public surface is what this package exports (callers write
`from dialogues import services` and `services.live_question_approve(...)`);
the modules behind it are split by concern:

- sessions: schedule, move through the session's states, ask box, video;
- participation: watchers asking and voting;
- moderation: approve, reject, edit, order, "now answering", answer, mute;
- announcements; forwarding (into the Q&A queue after the session); subscriptions ("remind me");
- common: the locks, the moderator check, who a participant is.

Contract shared by all services that change what watchers see: the session row
is locked first (select_for_update), then the question; the change and its
SessionEvent are written in the same transaction (dialogues.events), the event
number is the session's next `last_seq`; the frame is published by the hub only
after commit. Lock order session → question → anything else keeps concurrent
services from deadlocking. Which state allows which move is dialogues.workflow's.
"""

from .announcements import ANNOUNCEMENT_MAX, PHOTO_MAX_BYTES, announcement_post
from .common import participant_key
from .forwarding import ForwardResult, live_question_forward, live_questions_forward_all
from .moderation import (
    ANSWER_MAX,
    live_question_answer,
    live_question_approve,
    live_question_edit,
    live_question_mark_answering,
    live_question_reject,
    live_question_reorder,
    participant_mute,
)
from .participation import AlreadyVoted, live_question_ask, live_question_vote
from .sessions import (
    PanelistInput,
    session_create,
    session_end,
    session_open,
    session_publish_transcript,
    session_set_questions_open,
    session_set_video,
    session_start,
)
from .subscriptions import subscription_create, subscription_mark_reminded

__all__ = [
    "ANNOUNCEMENT_MAX",
    "ANSWER_MAX",
    "PHOTO_MAX_BYTES",
    "AlreadyVoted",
    "ForwardResult",
    "PanelistInput",
    "announcement_post",
    "live_question_answer",
    "live_question_approve",
    "live_question_ask",
    "live_question_edit",
    "live_question_forward",
    "live_question_mark_answering",
    "live_question_reject",
    "live_question_reorder",
    "live_question_vote",
    "live_questions_forward_all",
    "participant_key",
    "participant_mute",
    "session_create",
    "session_end",
    "session_open",
    "session_publish_transcript",
    "session_set_questions_open",
    "session_set_video",
    "session_start",
    "subscription_create",
    "subscription_mark_reminded",
]
