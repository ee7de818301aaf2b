"""The Atom feed of published answers: public fields only, newest first."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa.models import QuestionStatus
from tests.factories import AgencyFactory, PublishedQuestionFactory, QuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client=None):
    response = (client or Client()).get(reverse("qa:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, ET.fromstring(response.content)  # noqa: S314 (our own feed, not untrusted input)


def test_feed_lists_published_answers_newest_first_with_public_fields():
    agency = AgencyFactory(name="Sở Giao thông vận tải")
    topic = TopicFactory(name="Giao thông")
    now = timezone.now()
    PublishedQuestionFactory(
        agency=agency, topic=topic, public_title="Đăng ký xe máy", published_at=now - datetime.timedelta(days=2)
    )
    newer = PublishedQuestionFactory(
        agency=agency,
        topic=topic,
        public_title="Gia hạn giấy phép lái xe",
        public_body="Xin hỏi thủ tục gia hạn.",
        answer="<p>Nộp hồ sơ <strong>trực tuyến</strong>.</p>",
        published_at=now,
    )
    QuestionFactory(agency=agency, topic=topic, status=QuestionStatus.ANSWERED, public_title="Chưa công bố")
    _, root = _feed()
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Gia hạn giấy phép lái xe", "Đăng ký xe máy"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver{newer.get_absolute_url()}"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Sở Giao thông vận tải"
    assert {c.get("term") for c in first.findall(f"{ATOM}category")} == {"Sở Giao thông vận tải", "Giao thông"}
    summary = first.find(f"{ATOM}summary").text
    assert "Xin hỏi thủ tục gia hạn." in summary and "<strong>trực tuyến</strong>" in summary


def test_feed_never_contains_private_data():
    question = PublishedQuestionFactory(
        title="Bản gốc riêng tư của Nguyễn Văn Kín",
        body="Nội dung gốc có số điện thoại 0909 000 111",
        public_title="Câu hỏi đã biên tập",
        public_body="Nội dung đã xóa thông tin cá nhân",
        contact__name="Nguyễn Văn Kín",
        contact__email="van.kin.4242@example.vn",
        contact__phone="0909000111",
    )
    content = Client().get(reverse("qa:feed")).content.decode()
    assert question.public_title in content
    for private in ("Bản gốc riêng tư", "Nguyễn Văn Kín", "van.kin.4242@example.vn", "0909000111", "0909 000 111"):
        assert private not in content


def test_feed_is_linked_from_the_archive():
    page = Client().get(reverse("qa:archive")).content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="{reverse("qa:feed")}"' in page


def test_feed_query_count_is_constant(django_assert_num_queries):
    PublishedQuestionFactory.create_batch(2)
    with django_assert_num_queries(1):
        Client().get(reverse("qa:feed"))
    PublishedQuestionFactory.create_batch(10)
    with django_assert_num_queries(1):
        Client().get(reverse("qa:feed"))
