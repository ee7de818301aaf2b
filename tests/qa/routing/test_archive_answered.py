"""“Answered by the archive”: an answer opened from the ask form, and no question sent afterwards, counts."""

import pytest
from django.utils import timezone

from qa import selectors
from qa.models import ArchiveAnswerDay
from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer():
    return PublishedQuestionFactory(agency=AgencyFactory(), topic=TopicFactory(name="Đất đai"))


def _today():
    return selectors.archive_answered(timezone.localdate(), timezone.localdate())


def test_opening_from_the_ask_form_counts_once_per_session(client, answer):
    url = answer.get_absolute_url()
    assert client.get(url).status_code == 200  # not from the ask form: not counted
    assert _today() == {"opened": 0, "followed": 0, "answered": 0}
    assert client.get(url + "?from=ask").status_code == 200
    assert client.get(url + "?from=ask").status_code == 200  # the same visit
    assert _today() == {"opened": 1, "followed": 0, "answered": 1}
    row = ArchiveAnswerDay.objects.get()
    assert (row.day, row.topic_id) == (timezone.localdate(), answer.topic_id)
    assert set(client.cookies) <= {"sessionid", "csrftoken"}  # the session (and the page's own CSRF cookie)


def test_a_question_sent_afterwards_is_not_answered_by_the_archive(client, answer):
    client.get(answer.get_absolute_url() + "?from=ask")
    response = client.post(
        "/ask/",
        {
            "agency": answer.agency_id,
            "topic": answer.topic_id,
            "title": "Hỏi thêm về thủ tục cấp lại sổ đỏ bị mất",
            "body": "Gia đình tôi làm mất sổ đỏ, xin hỏi cần những giấy tờ gì để được cấp lại?",
            "asker_type": "individual",
            "name": "Lê Văn Hỏi",
            "email": "le.van.hoi@example.vn",
        },
    )
    assert response.status_code == 302
    assert _today() == {"opened": 1, "followed": 1, "answered": 0}


def test_statistics_show_the_figure(client, answer):
    other = TopicFactory()
    ArchiveAnswerDay.objects.create(day=timezone.localdate(), topic=answer.topic, opened=7, followed=2)
    ArchiveAnswerDay.objects.create(day=timezone.localdate(), topic=other, opened=3, followed=3)
    year = timezone.localdate().year
    data = client.get("/api/v1/statistics/", {"period": str(year)}).json()
    assert data["answered_by_archive"] == {"opened": 10, "followed": 5, "answered": 5}
    data = client.get("/api/v1/statistics/", {"period": str(year), "topic": answer.topic.slug}).json()
    assert data["answered_by_archive"] == {"opened": 7, "followed": 2, "answered": 5}
    page = client.get("/statistics/", {"period": str(year)}).content.decode()
    assert 'id="archive-answered-h"' in page
