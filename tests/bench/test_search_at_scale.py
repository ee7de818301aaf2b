"""The archive selectors' large-archive measures, checked on small data by shrinking their limits.

Relevance tiers found newest first by walk or GIN, capped counts and rare-term candidates for
similar questions are what keep search fast on a million questions (bench/);
these tests pin down that they still return the right questions.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from qa import selectors
from qa.search import archive as archive_search
from qa.search import counts as search_counts
from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the stored search_vector and the planner estimate exist on PostgreSQL only")


def _published(title: str, *, days_ago: int, agency=None, topic=None, body: str = "Xin hỏi cơ quan."):
    return PublishedQuestionFactory(
        public_title=title,
        public_body=body,
        agency=agency or AgencyFactory(),
        topic=topic or TopicFactory(),
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        answer="<p>Trả lời.</p>",
    )


def test_relevance_ranks_every_match_of_the_filtered_set(monkeypatch):
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 2)
    agency = AgencyFactory()
    # Newer questions of another agency that also match must not crowd out this agency's matches.
    for i in range(4):
        _published(f"Tách thửa đất số {i}", days_ago=1)
    old = [_published("Tách thửa đất ở nông thôn", days_ago=300 + i, agency=agency) for i in range(2)]
    _published("Học phí mầm non", days_ago=2, agency=agency)

    page = selectors.archive_page(search="tach thua", agency=agency, ordering="relevance")

    assert [q.pk for q in page.questions] == [q.pk for q in old]
    assert (page.count, page.count_estimated) == (2, False)


def test_relevance_lists_every_match_not_only_the_newest_and_counts_them(monkeypatch):
    # Ranking used to cover the newest 100 matches only (issue 17): every match now has a tier.
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 3)
    for i in range(25):
        _published(f"Đăng ký khai sinh {i}", days_ago=i)
    first = selectors.archive_page(search="khai sinh", ordering="relevance", size=10)
    seen = [q.pk for q in first.questions]
    cursor = first.next_cursor
    while cursor:
        page = selectors.archive_page(search="khai sinh", ordering="relevance", size=10, cursor=cursor)
        seen += [q.pk for q in page.questions]
        cursor = page.next_cursor
    assert first.count == 25
    assert len(seen) == len(set(seen)) == 25


def test_count_is_exact_up_to_the_cap_then_the_planners_estimate(monkeypatch):
    for i in range(6):
        _published(f"Giấy phép xây dựng {i}", days_ago=i)
    assert selectors.archive().count() == 6
    monkeypatch.setattr(search_counts, "COUNT_CAP", 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE qa_question")
    estimate = selectors.archive().count()
    # Never below what was counted exactly; the estimate comes from the planner, not a count(*).
    assert estimate >= 4
    assert len(list(selectors.archive())) == 6


def test_similar_questions_come_from_rare_terms_in_one_query(django_assert_num_queries):
    topic = TopicFactory()
    wanted = _published("Thủ tục tách thửa đất nông nghiệp ở Lại Xuân", days_ago=30, topic=topic)
    also = _published("Tách thửa đất vườn", days_ago=10, topic=topic)
    # Shares only common syllables (thủ tục, đất): not a suggestion.
    _published("Thủ tục đăng ký đất đai", days_ago=1, topic=topic)

    with django_assert_num_queries(1):
        similar = selectors.similar_questions("Hỏi về tách thửa ở xã Lại Xuân")

    assert [q.pk for q in similar] == [wanted.pk, also.pk]


@pytest.mark.parametrize("source", ["qa_search_terms", "qa_question"])
@pytest.mark.parametrize(
    ("walk_rows", "walk_max", "path"),
    [(40, 40, "first walk"), (4, 40, "longer walk"), (4, 4, "GIN index"), (2, 40, "GIN after an empty walk")],
)
def test_newest_candidates_are_the_same_whichever_path_finds_them(monkeypatch, walk_rows, walk_max, path, source):
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", walk_rows)
    monkeypatch.setattr(archive_search, "SEARCH_WALK_MAX_ROWS", walk_max)
    for i in range(30):
        # Every third question matches "tách thửa", newest first by day; the others do not.
        title = f"Tách thửa đất ở lần {i}" if i % 3 == 0 else f"Học phí mầm non năm {i}"
        _published(title, days_ago=i)
    queryset = selectors.published_questions()
    terms = archive_search._search_terms("tach thua")
    tsquery = archive_search._tsquery(terms)
    expected = list(
        archive_search._matching(queryset, tsquery).order_by("-published_at", "-id").values_list("pk", flat=True)[:4]
    )
    assert len(expected) == 4
    # The whole archive is searched on qa_search_terms (None), a filtered one on qa_question.
    searched = None if source == "qa_search_terms" else queryset
    assert archive_search._newest_matches(searched, tsquery, 4) == expected, path
    # After a keyset position: the next ones, whichever path.
    pivot = selectors.published_questions().get(pk=expected[1])
    assert archive_search._newest_matches(searched, tsquery, 2, before=(pivot.published_at, pivot.pk)) == expected[2:]
    # Fewer matches than asked for: all of them, whichever path.
    assert archive_search._newest_matches(searched, tsquery, 50) == list(
        archive_search._matching(queryset, tsquery).order_by("-published_at", "-id").values_list("pk", flat=True)
    )


def test_diacritics_do_not_matter_on_any_path(monkeypatch):
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 2)
    monkeypatch.setattr(archive_search, "SEARCH_WALK_MAX_ROWS", 4)
    wanted = _published("Giấy chứng nhận quyền sử dụng đất", days_ago=5)
    for i in range(6):
        _published(f"Học phí mầm non {i}", days_ago=i)
    for query in ("giấy chứng nhận", "giay chung nhan", "GIẤY CHỨNG NHẬN", "giay chung nh"):
        assert [q.pk for q in selectors.archive(search=query)] == [wanted.pk], query
