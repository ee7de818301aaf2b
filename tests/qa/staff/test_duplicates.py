"""Likely duplicates on a question's staff page and in the staff API (issue 15): ranking, why they match,
what is shown of another agency's question, and a bounded number of queries; the group panel's queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qa import services
from qa.models import AskerContact
from qa.models import QuestionStatus as S
from qa.staff.duplicates import highlight, likely_duplicates
from qa.text import fold
from tests.factories import AgencyFactory, PublishedQuestionFactory
from tests.qa.staff_fixtures import moderator, question_in

pytestmark = [pytest.mark.django_db]

TITLE = "Xin hỏi thủ tục cấp lại sổ đỏ bị mất"
SECRET_NAME = "Đoàn Thị Kín Đáo"
SECRET_EMAIL = "kin.dao@example.vn"


@pytest.fixture
def world():
    mine, theirs = AgencyFactory(), AgencyFactory()
    mod = moderator(mine)
    question = question_in(S.SUBMITTED, mine, title=TITLE, body="Gia đình tôi bị mất sổ đỏ, xin hỏi thủ tục.")
    own_open = question_in(S.ACCEPTED, mine, title="Thủ tục cấp lại sổ đỏ bị mất như thế nào")
    foreign = question_in(
        S.ACCEPTED,
        theirs,
        title=f"Tôi là {SECRET_NAME}, hỏi thủ tục cấp lại sổ đỏ bị mất",
        body=f"Liên hệ {SECRET_EMAIL}. Tôi bị mất sổ đỏ, xin hỏi thủ tục cấp lại sổ đỏ.",
        public_title="Tôi là [đã ẩn], hỏi thủ tục cấp lại sổ đỏ bị mất",
    )
    AskerContact.objects.filter(question=foreign).update(name=SECRET_NAME, email=SECRET_EMAIL)
    published = PublishedQuestionFactory(
        agency=theirs,
        title="Thủ tục cấp lại sổ đỏ bị mất",
        public_title="Thủ tục cấp lại sổ đỏ bị mất",
        public_body="Xin hỏi thủ tục cấp lại giấy chứng nhận bị mất.",
    )
    unrelated = question_in(S.ACCEPTED, mine, title="Đăng ký khai sinh cho con", body="Hỏi về khai sinh.")
    return {
        "mod": mod,
        "question": question,
        "own_open": own_open,
        "foreign": foreign,
        "published": published,
        "unrelated": unrelated,
        "mine": mine,
        "theirs": theirs,
    }


def test_open_questions_of_every_agency_and_published_answers_ranked_with_why(world):
    found = likely_duplicates(user=world["mod"], question=world["question"])
    by_reference = {d.reference: d for d in found}
    assert world["unrelated"].reference not in by_reference and world["question"].reference not in by_reference
    own = by_reference[world["own_open"].reference]
    assert (own.kind, own.full_view) == ("open", True)
    assert "<mark>sổ</mark> <mark>đỏ</mark>" in own.title
    assert any("sổ đỏ bị mất" in phrase for phrase in own.shared)
    published = by_reference[world["published"].reference]
    assert (published.kind, published.can_link, published.url) == (
        "published",
        True,
        world["published"].get_absolute_url(),
    )
    assert found[0].kind == "published"  # published answers first: one click answers the asker
    assert [d.score for d in found if d.kind == "open"] == sorted(
        (d.score for d in found if d.kind == "open"), reverse=True
    )


def test_another_agencys_question_shows_only_its_public_title(world):
    found = {d.reference: d for d in likely_duplicates(user=world["mod"], question=world["question"])}
    foreign = found[world["foreign"].reference]
    assert (foreign.full_view, foreign.can_merge, foreign.agency_name) == (False, False, world["theirs"].name)
    assert SECRET_NAME not in foreign.title and "[đã ẩn]" in foreign.title
    assert all(SECRET_NAME not in phrase for phrase in foreign.shared)


def test_titles_are_escaped_and_only_shared_words_marked():
    html, shared = highlight('<script>alert("sổ")</script> cấp lại sổ đỏ', [*fold(TITLE).split()])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.endswith("<mark>cấp</mark> <mark>lại</mark> <mark>sổ</mark> <mark>đỏ</mark>")
    assert "cấp lại sổ đỏ" in shared


def test_merge_is_offered_only_between_questions_in_progress_of_the_agency(world):
    services.question_accept(actor=world["mod"], question=world["question"])
    world["question"].refresh_from_db()
    found = {d.reference: d for d in likely_duplicates(user=world["mod"], question=world["question"])}
    assert found[world["own_open"].reference].can_merge
    assert not found[world["foreign"].reference].can_merge


def test_the_staff_page_lists_duplicates_without_the_other_agencys_private_data(client, world):
    client.force_login(world["mod"])
    page = client.get(f"/staff/questions/{world['question'].reference}/").content.decode()
    assert "Câu hỏi có thể trùng lặp" in page
    assert world["foreign"].reference in page and world["published"].reference in page
    assert SECRET_NAME not in page and SECRET_EMAIL not in page
    assert f"/staff/questions/{world['foreign'].reference}/" not in page  # no link they could not open
    assert "answer_by_reference-answer_reference" in page  # one click sends the published answer


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_duplicates_and_group_cost_the_same_queries_for_few_or_many(client, world):
    mod, question = world["mod"], world["question"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=mod).key}")
    client.force_login(mod)
    page_url = f"/staff/questions/{question.reference}/"
    api_url = f"/api/v1/staff/questions/{question.reference}/duplicates/"
    before = (_queries(client, page_url), _queries(api, api_url))
    for i in range(6):
        question_in(S.ACCEPTED, world["mine"], title=f"Thủ tục cấp lại sổ đỏ bị mất lần {i}")
        question_in(S.ACCEPTED, world["theirs"], title=f"Hỏi cấp lại sổ đỏ bị mất ở phường {i}")
        PublishedQuestionFactory(title=f"Cấp lại sổ đỏ bị mất {i}", public_title=f"Cấp lại sổ đỏ bị mất {i}")
    assert len(likely_duplicates(user=mod, question=question)) > 8
    assert (_queries(client, page_url), _queries(api, api_url)) == before

    # The group panel: a primary with one member, then with six.
    primary = world["own_open"]
    first = question_in(S.ACCEPTED, world["mine"])
    services.group_merge(actor=mod, question=primary, references=[first.reference])
    group_url = f"/staff/questions/{primary.reference}/"
    group_api = f"/api/v1/staff/questions/{primary.reference}/group/"
    few = (_queries(client, group_url), _queries(api, group_api))
    more = [question_in(S.ACCEPTED, world["mine"]).reference for _ in range(5)]
    services.group_merge(actor=mod, question=primary, references=more)
    assert (_queries(client, group_url), _queries(api, group_api)) == few
    assert api.get(group_api).json()["size"] == 7
