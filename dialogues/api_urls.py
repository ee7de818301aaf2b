"""/api/v1/dialogues/: public reads, asking and voting; staff moderation under <id>/moderation/."""

from django.urls import path

from . import api

question = "<id:pk>/moderation/questions/<id:question_pk>"
moderation = "<id:pk>/moderation"

urlpatterns = [
    path("", api.SessionListView.as_view(), name="dialogues-api-list"),
    path("<id:pk>/", api.SessionDetailView.as_view(), name="dialogues-api-detail"),
    path("<id:pk>/questions/", api.QuestionListView.as_view(), name="dialogues-api-questions"),
    path("<id:pk>/questions/<id:question_pk>/vote/", api.VoteView.as_view(), name="dialogues-api-vote"),
    path("<id:pk>/events/", api.EventListView.as_view(), name="dialogues-api-events"),
    path("<id:pk>/subscribe/", api.SubscribeView.as_view(), name="dialogues-api-subscribe"),
    path(f"{moderation}/questions/", api.ModerationQuestionListView.as_view(), name="dialogues-api-mod-questions"),
    path(f"{question}/approve/", api.QuestionApproveView.as_view(), name="dialogues-api-approve"),
    path(f"{question}/reject/", api.QuestionRejectView.as_view(), name="dialogues-api-reject"),
    path(f"{question}/edit/", api.QuestionEditView.as_view(), name="dialogues-api-edit"),
    path(f"{question}/answering/", api.QuestionAnsweringView.as_view(), name="dialogues-api-answering"),
    path(f"{question}/answer/", api.QuestionAnswerView.as_view(), name="dialogues-api-answer"),
    path(f"{question}/mute/", api.QuestionMuteView.as_view(), name="dialogues-api-mute"),
    path(f"{question}/forward/", api.QuestionForwardView.as_view(), name="dialogues-api-forward"),
    path(f"{moderation}/open/", api.SessionOpenView.as_view(), name="dialogues-api-open"),
    path(f"{moderation}/start/", api.SessionStartView.as_view(), name="dialogues-api-start"),
    path(f"{moderation}/end/", api.SessionEndView.as_view(), name="dialogues-api-end"),
    path(
        f"{moderation}/publish-transcript/",
        api.SessionPublishTranscriptView.as_view(),
        name="dialogues-api-publish-transcript",
    ),
    path(f"{moderation}/open-questions/", api.SessionOpenQuestionsView.as_view(), name="dialogues-api-open-questions"),
    path(
        f"{moderation}/close-questions/", api.SessionCloseQuestionsView.as_view(), name="dialogues-api-close-questions"
    ),
    path(f"{moderation}/video/", api.SessionVideoView.as_view(), name="dialogues-api-video"),
    path(f"{moderation}/reorder/", api.SessionReorderView.as_view(), name="dialogues-api-reorder"),
    path(f"{moderation}/forward-all/", api.SessionForwardAllView.as_view(), name="dialogues-api-forward-all"),
    path(f"{moderation}/announcements/", api.AnnouncementCreateView.as_view(), name="dialogues-api-announce"),
]
