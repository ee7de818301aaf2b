"""The anonymous archive cache (qa.cache): hits, invalidation by the archive generation, who never gets a hit."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa import cache as archive_cache
from qa import services
from qa.models import QuestionStatus as S
from tests.factories import PublishedQuestionFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ARCHIVE = reverse("qa:archive")
API_LIST = "/api/v1/questions/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _get(client: Client, url: str, **kwargs):
    """The response and the number of queries it took (0 for a cache hit)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries.captured_queries)


@pytest.mark.parametrize("url", [ARCHIVE, ARCHIVE + "?q=thu+tuc", reverse("qa:home"), API_LIST])
def test_second_anonymous_request_is_a_hit_with_the_same_content(url):
    PublishedQuestionFactory(public_title="Thủ tục tách thửa")
    first, first_queries = _get(Client(), url)
    second, second_queries = _get(Client(), url)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    strip = (lambda b: TOKEN.sub("", b.decode())) if "api" not in url else bytes.decode
    assert strip(second.content) == strip(first.content)
    assert second["Content-Type"] == first["Content-Type"]


def test_detail_and_api_detail_are_hits():
    question = PublishedQuestionFactory()
    for url in (question.get_absolute_url(), f"/api/v1/questions/{question.reference}/"):
        _get(Client(), url)
        response, queries = _get(Client(), url)  # the web page's view is counted in the cache: no query
        assert response.status_code == 200
        assert queries == 0


def test_publishing_shows_the_question_on_the_next_request(django_capture_on_commit_callbacks):
    mod = moderator(question_in(S.ANSWERED).agency)
    PublishedQuestionFactory(public_title="Câu hỏi cũ")
    question = question_in(S.ANSWERED, mod.memberships.first().agency)
    assert "Câu hỏi mới công khai" not in Client().get(ARCHIVE).content.decode()
    assert "Câu hỏi mới công khai" not in Client().get(API_LIST).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_publish(
            actor=mod, question=question, public_title="Câu hỏi mới công khai", public_body="Nội dung"
        )
    assert "Câu hỏi mới công khai" in Client().get(ARCHIVE).content.decode()
    assert "Câu hỏi mới công khai" in Client().get(API_LIST).content.decode()


def test_unpublishing_removes_it_at_once(django_capture_on_commit_callbacks):
    question = question_in(S.PUBLISHED, public_title="Sắp gỡ khỏi kho")
    mod = moderator(question.agency)
    detail, api_detail = question.get_absolute_url(), f"/api/v1/questions/{question.reference}/"
    for url in (ARCHIVE, API_LIST, detail, api_detail):
        assert Client().get(url).status_code == 200
    assert "Sắp gỡ khỏi kho" in Client().get(ARCHIVE).content.decode()  # a hit
    with django_capture_on_commit_callbacks(execute=True):
        services.question_unpublish(actor=mod, question=question, reason="Sai sót")
    assert "Sắp gỡ khỏi kho" not in Client().get(ARCHIVE).content.decode()
    assert "Sắp gỡ khỏi kho" not in Client().get(API_LIST).content.decode()
    assert Client().get(detail).status_code == 404
    assert Client().get(api_detail).status_code == 404


def test_editing_the_public_version_shows_at_once(django_capture_on_commit_callbacks):
    question = question_in(S.PUBLISHED, public_title="Tiêu đề cũ")
    mod = moderator(question.agency)
    assert "Tiêu đề cũ" in Client().get(question.get_absolute_url()).content.decode()
    assert "Tiêu đề cũ" in Client().get(ARCHIVE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_public_version_save(
            actor=mod, question=question, public_title="Tiêu đề đã sửa", public_body="Nội dung đã sửa"
        )
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Tiêu đề đã sửa" in page
    assert "Tiêu đề cũ" not in page
    assert "Tiêu đề đã sửa" in Client().get(ARCHIVE).content.decode()


def test_a_rolled_back_change_does_not_bump_the_generation():
    before = archive_cache.archive_generation()
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        archive_cache.archive_changed()
        raise RuntimeError
    assert archive_cache.archive_generation() == before


@pytest.mark.parametrize("who", ["user", "staff"])
def test_logged_in_users_never_get_or_fill_the_anonymous_cache(who):
    question = PublishedQuestionFactory()
    user = UserFactory(full_name="Nguyễn Văn Đăng Nhập", is_staff=who == "staff")
    for url in (ARCHIVE, question.get_absolute_url(), API_LIST):
        Client().get(url)  # an anonymous visitor fills the cache
        logged_in = Client()
        logged_in.force_login(user)
        response, queries = _get(logged_in, url)
        assert response.status_code == 200
        assert queries > 0  # rendered for them, not the anonymous page
        if url != API_LIST:
            assert "Nguyễn Văn Đăng Nhập" in response.content.decode() or "logout" in response.content.decode()
    # What they were shown was not stored for anonymous visitors.
    archive_cache._bump()
    logged_in = Client()
    logged_in.force_login(user)
    logged_in.get(ARCHIVE)
    anonymous, queries = _get(Client(), ARCHIVE)
    assert queries > 0
    assert "Nguyễn Văn Đăng Nhập" not in anonymous.content.decode()
    assert reverse("accounts:logout") not in anonymous.content.decode()


def test_token_authenticated_api_requests_bypass_the_cache():
    PublishedQuestionFactory()
    Client().get(API_LIST)
    _response, queries = _get(Client(), API_LIST, HTTP_AUTHORIZATION="Token whatever")
    assert queries > 0


def test_a_visitor_with_messages_gets_a_fresh_page():
    question = PublishedQuestionFactory()
    url = question.get_absolute_url()
    Client().get(url)
    voter = Client()
    response = voter.post(reverse("qa:vote", args=[question.reference]), {"helpful": "yes"}, follow=True)
    assert 'class="message message-success"' in response.content.decode()
    assert response.context is not None  # rendered for them (the message), not a stored page


def test_every_visitor_gets_a_csrf_token_of_their_own_that_works():
    question = PublishedQuestionFactory()
    url = question.get_absolute_url()
    first = Client(enforce_csrf_checks=True)
    first_page = first.get(url).content.decode()
    second = Client(enforce_csrf_checks=True)
    response, queries = _get(second, url)
    assert queries == 0  # a hit
    page = response.content.decode()
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1
    assert tokens.isdisjoint(TOKEN.findall(first_page))
    assert "csrftoken" in response.cookies  # their own cookie, set on the hit
    assert "@@csrf" not in page
    vote = second.post(
        reverse("qa:vote", args=[question.reference]), {"helpful": "yes", "csrfmiddlewaretoken": tokens.pop()}
    )
    assert vote.status_code == 302  # accepted by the CSRF check


def test_stored_entries_hold_no_token_or_personal_data():
    question = PublishedQuestionFactory()
    client = Client()
    page = client.get(question.get_absolute_url()).content.decode()
    (token,) = set(TOKEN.findall(page))
    key = archive_cache._key(_request_for(question.get_absolute_url()), vary_on_accept=False)
    entry = cache.get(key)
    assert entry is not None
    assert entry["generation"] == archive_cache.archive_generation()
    assert token.encode() not in entry["content"]
    assert archive_cache.CSRF_PLACEHOLDER in entry["content"]
    contact = question.contact
    for private in (contact.name, contact.email, contact.phone, question.tracking_token):
        assert private.encode() not in entry["content"]


def _request_for(path: str):
    from django.test import RequestFactory
    from django.utils import translation

    translation.activate("vi")
    return RequestFactory().get(path)


def test_the_cache_can_be_turned_off(settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 0
    PublishedQuestionFactory()
    Client().get(ARCHIVE)
    _response, queries = _get(Client(), ARCHIVE)
    assert queries > 0
