"""List pages cost a fixed number of queries however many questions they show (no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture(autouse=True)
def _no_archive_cache(settings):
    """These tests count the queries of rendered pages; tests/qa/test_archive_cache.py covers cache hits."""
    settings.QA_ARCHIVE_CACHE_SECONDS = 0


@pytest.fixture
def world():
    city = AgencyFactory(slug="ubnd")
    departments = [AgencyFactory(parent=city, slug=f"so-{i}") for i in range(3)]
    topics = [TopicFactory(slug=f"linh-vuc-{i}") for i in range(3)]
    return {"city": city, "departments": departments, "topics": topics}


def _add_published(world, count):
    for i in range(count):
        PublishedQuestionFactory(
            agency=world["departments"][i % 3],
            topic=world["topics"][i % 3],
            public_title=f"Thủ tục đất đai số {i}",
            published_at=timezone.now() - datetime.timedelta(hours=i),
        )


def _count(url: str, params: dict | None = None) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries.captured_queries)


PAGES = [
    # (url name, args, params, expected queries)
    ("qa:home", [], {}, 3),  # agencies, latest answers, topics
    ("qa:archive", [], {}, 5),  # agencies, topics, page, the count's estimate then (near the cap) the count
    ("qa:archive", [], {"q": "dat dai", "topic": "linh-vuc-1", "sort": "views"}, 5),
    # + the agency tree; with 3 rows page 2 is past the end and the last page is served instead (+ 2).
    ("qa:archive", [], {"agency": "ubnd", "page": "2"}, 8),
    ("qa:agency", ["ubnd"], {}, 6),
    ("qa:topic", ["linh-vuc-0"], {}, 4),
    ("qa:feed", [], {}, 1),
]


@pytest.mark.parametrize(("name", "args", "params", "expected"), PAGES)
def test_list_page_queries_do_not_grow_with_rows(world, name, args, params, expected, django_assert_max_num_queries):
    # A first page that holds every match needs no count query: at most `expected`, whatever the rows.
    url = reverse(name, args=args)
    _add_published(world, 3)
    with django_assert_max_num_queries(expected):
        Client().get(url, params)
    _add_published(world, 27)
    with django_assert_max_num_queries(expected):
        Client().get(url, params)
    assert _count(url, params) <= expected


def test_archive_page_really_shows_the_rows(world):
    _add_published(world, 30)
    response = Client().get(reverse("qa:archive"))
    assert len(response.context["questions"]) == 20
    assert response.context["page"].count == 30
    page = response.content.decode()
    assert page.count('class="card question-card"') == 20
