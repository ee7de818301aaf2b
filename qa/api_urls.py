"""Public Q&A API under /api/v1/ (see qa.api)."""

from django.urls import path

from . import api

urlpatterns = [
    path("questions/", api.QuestionCollectionApi.as_view(), name="api-questions"),
    # Before the detail route: "similar" is not a reference code.
    path("questions/similar/", api.SimilarQuestionsApi.as_view(), name="api-questions-similar"),
    path("questions/suggest-routing/", api.SuggestRoutingApi.as_view(), name="api-questions-suggest-routing"),
    path("questions/<str:reference>/", api.QuestionDetailApi.as_view(), name="api-question-detail"),
    path("questions/<str:reference>/confirm-phone/", api.PhoneConfirmApi.as_view(), name="api-question-confirm-phone"),
    path("track/<str:reference>/", api.TrackApi.as_view(), name="api-track"),
    path("track/<str:reference>/erasure/", api.TrackErasureApi.as_view(), name="api-track-erasure"),
    path("agencies/", api.AgencyListApi.as_view(), name="api-agencies"),
    path("topics/", api.TopicListApi.as_view(), name="api-topics"),
    path("places/", api.PlaceListApi.as_view(), name="api-places"),
]
