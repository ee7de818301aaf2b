"""Every archive shape (issue 17): portal-time date bounds, keyset pages, honest counts, relevance tiers, the cursor."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa import selectors
from qa.search import archive as archive_search
from qa.search import counts as search_counts
from qa.search import keyset
from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db]

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LIST_URL = "/api/v1/questions/"


@pytest.fixture(autouse=True)
def _no_archive_cache(settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 0


def _published(title: str, *, at: datetime.datetime, body: str = "Xin hỏi cơ quan.", **extra):
    return PublishedQuestionFactory(public_title=title, public_body=body, published_at=at, **extra)


# --- Date ranges in the portal's time zone --------------------------------------------------------------------------


@pytest.mark.sqlite
def test_date_range_bounds_are_whole_days_in_the_portals_time_zone():
    day = datetime.date(2026, 3, 31)
    start, end = selectors.portal_day_bounds(datetime.date(2026, 3, 1), day)
    assert start == datetime.datetime(2026, 3, 1, tzinfo=HCM)
    assert end == datetime.datetime(2026, 4, 1, tzinfo=HCM)
    assert start.utcoffset() == datetime.timedelta(hours=7)


@pytest.mark.sqlite
def test_a_question_published_at_2330_local_on_the_last_day_is_included():
    late = _published("Đêm cuối tháng", at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=HCM))
    first = _published("Đầu tháng", at=datetime.datetime(2026, 3, 1, 0, 0, tzinfo=HCM))
    _published("Sau nửa đêm", at=datetime.datetime(2026, 4, 1, 0, 10, tzinfo=HCM))  # 17:10 UTC on 31 March
    _published("Trước tháng", at=datetime.datetime(2026, 2, 28, 23, 59, tzinfo=HCM))

    page = selectors.archive_page(date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 31))

    assert [q.pk for q in page.questions] == [late.pk, first.pk]
    assert (page.count, page.count_estimated) == (2, False)


# --- Keyset pagination ----------------------------------------------------------------------------------------------


def _walk_cursor(**arguments) -> list[int]:
    page = selectors.archive_page(**arguments)
    seen = [q.pk for q in page.questions]
    guard = 0
    while page.next_cursor:
        page = selectors.archive_page(**arguments, cursor=page.next_cursor)
        assert page.number is None
        seen += [q.pk for q in page.questions]
        guard += 1
        assert guard < 100
    return seen


@pytest.mark.sqlite
@pytest.mark.parametrize("ordering", ["newest", "views", "helpful"])
def test_cursor_pages_list_every_item_exactly_once_with_equal_sort_keys(ordering):
    at = timezone.now() - datetime.timedelta(days=1)
    # Ties on every sort key but the id: the order must still be total.
    questions = [
        _published(f"Câu hỏi {i}", at=at if i % 2 else at - datetime.timedelta(hours=1), view_count=5, helpful_yes=2)
        for i in range(23)
    ]
    seen = _walk_cursor(ordering=ordering, size=5)
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {q.pk for q in questions}
    # The same order as by number.
    by_number = []
    for number in range(1, 6):
        by_number += [q.pk for q in selectors.archive_page(ordering=ordering, size=5, page=number).questions]
    assert by_number == seen


@pytest.mark.sqlite
def test_page_numbers_stop_at_the_numbered_rows_and_the_cursor_goes_on(monkeypatch):
    monkeypatch.setattr(keyset, "MAX_NUMBERED_ROWS", 6)
    at = timezone.now()
    for i in range(10):
        _published(f"Câu hỏi {i}", at=at - datetime.timedelta(minutes=i))
    second = selectors.archive_page(size=3, page=2)
    assert second.last_number == 2 and second.next_number is None and second.next_cursor
    with pytest.raises(selectors.PageOutOfRange):
        selectors.archive_page(size=3, page=3)
    assert len(_walk_cursor(size=3)) == 10


@pytest.mark.sqlite
def test_a_cursor_from_another_order_or_damaged_is_refused():
    at = timezone.now()
    for i in range(4):
        _published(f"Câu hỏi {i}", at=at - datetime.timedelta(minutes=i))
    cursor = selectors.archive_page(size=2, ordering="newest").next_cursor
    with pytest.raises(keyset.BadCursor):
        selectors.archive_page(size=2, ordering="views", cursor=cursor)
    with pytest.raises(keyset.BadCursor):
        selectors.archive_page(size=2, cursor=cursor[:-3] + "!!")


# --- Counts ---------------------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_counts_are_exact_up_to_the_cap_then_an_estimate_shown_as_one(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("estimates come from PostgreSQL")
    at = timezone.now()
    for i in range(25):
        _published(f"Giấy phép xây dựng {i}", at=at - datetime.timedelta(minutes=i))
    exact = selectors.archive_page(size=3)
    assert (exact.count, exact.count_estimated) == (25, False)
    monkeypatch.setattr(search_counts, "COUNT_CAP", 4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE qa_question")
    estimated = selectors.archive_page(size=3)
    assert estimated.count_estimated and estimated.count >= 5
    page = Client().get(reverse("qa:archive")).content.decode()
    assert re.search(r"(About|Khoảng) \d", page)
    response = Client().get(LIST_URL).json()
    assert response["count_estimated"] is True


@pytest.mark.sqlite
def test_estimates_are_rounded_to_two_significant_digits():
    assert search_counts.rounded_estimate(66842) == 67000
    assert search_counts.rounded_estimate(1234) == 1200
    assert search_counts.rounded_estimate(87) == 87


# --- Relevance ------------------------------------------------------------------------------------------------------


def _ranked(query: str, **extra) -> list[int]:
    return [q.pk for q in selectors.archive_page(search=query, ordering="relevance", **extra).questions]


@pytest.mark.postgres
def test_typed_accents_rank_exact_matches_above_folded_ones():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    folded = _published("Hồ sơ hộ khẩu, thuế", at=now, body="Hỏi về hộ khẩu")  # "hộ khẩu" ≠ "hồ khau": folds equal
    exact = _published("Đăng ký hộ khẩu thường trú", at=now - datetime.timedelta(days=30))
    _published("Hộ kinh doanh và khấu trừ thuế", at=now - datetime.timedelta(days=1), body="hồ khẩu")
    wrong_accents = _published("Hỏ khâu thương trụ", at=now - datetime.timedelta(days=2))

    accented = _ranked("hộ khẩu thường trú")
    assert accented[0] == exact.pk
    assert wrong_accents.pk in accented  # folded matches are still found
    assert accented.index(exact.pk) < accented.index(wrong_accents.pk)
    # Typed without diacritics: everything that folds equal, still found.
    assert set(_ranked("ho khau thuong tru")) >= {exact.pk, wrong_accents.pk}
    assert folded.pk not in _ranked("ho khau thuong tru")[:2]


@pytest.mark.postgres
def test_adjacent_syllables_rank_above_scattered_ones():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    scattered = _published("Khẩu trang cho hộ gia đình", at=now, body="Thường trú ở xã")
    adjacent = _published("Câu hỏi", at=now - datetime.timedelta(days=60), body="Về hộ khẩu thường trú tại phường")
    assert _ranked("ho khau thuong tru") == [adjacent.pk, scattered.pk]


@pytest.mark.postgres
def test_a_sentence_with_common_syllables_finds_the_question_of_its_important_words():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    wanted = _published("Đăng ký thường trú cho con", at=now - datetime.timedelta(days=5))
    _published("Học phí mầm non", at=now)
    sentence = "Xin hỏi tôi muốn hỏi về việc đăng ký thường trú cho con được không ạ"
    ranked = _ranked(sentence)
    assert ranked and ranked[0] == wanted.pk
    # Every word required used to find nothing (issue 17); the common ones weigh nothing now.
    assert list(selectors.archive(search=sentence)) == []


@pytest.mark.postgres
def test_relevance_pages_by_number_and_by_cursor_list_the_same_rows(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 4)
    now = timezone.now()
    for i in range(12):
        body = "đất đai tranh chấp" if i % 3 else "đất rừng, đai an toàn"
        _published(f"Hỏi số {i}", at=now - datetime.timedelta(hours=i), body=body)
    by_cursor = _walk_cursor(search="dat dai", ordering="relevance", size=5)
    by_number = []
    for number in (1, 2, 3):
        by_number += _ranked("dat dai", size=5, page=number)
    assert by_cursor == by_number and len(set(by_cursor)) == 12


@pytest.mark.postgres
def test_a_sentence_ranks_the_title_holding_more_of_its_important_terms_first_whatever_its_age():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    # Every row holds all the important terms in its text (one tier); newest first used to put the bodies first.
    titled = _published("Đăng ký thường trú cho con", at=now - datetime.timedelta(days=400))
    half = _published("Hỏi về đăng ký tạm trú", at=now - datetime.timedelta(days=30), body="Thường trú ở đâu?")
    body_only = [
        _published(f"Hồ sơ nhà đất số {i}", at=now - datetime.timedelta(days=i), body="đăng ký thường trú")
        for i in range(3)
    ]
    ranked = _ranked("cho tôi hỏi về việc đăng ký thường trú cho con được không")
    assert ranked[:2] == [titled.pk, half.pk]
    assert set(ranked[2:]) == {q.pk for q in body_only}
    assert ranked[2:] == [q.pk for q in body_only]  # equal titles: newest first


@pytest.mark.postgres
def test_a_phrase_absent_from_titles_ranks_the_titles_holding_its_words_first():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    titled = _published("Tuyển sinh vào lớp 6 năm nay", at=now - datetime.timedelta(days=200))
    newer = _published("Miễn giảm học phí", at=now, body="Con tôi tuyển sinh vào lớp 6 thì có được miễn không?")
    assert _ranked("tuyen sinh lop 6") == [titled.pk, newer.pk]


@pytest.mark.postgres
def test_a_long_sentence_ranks_on_its_important_terms_past_the_twelfth_word():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    now = timezone.now()
    wanted = _published("Bồi thường khi Nhà nước thu hồi đất", at=now - datetime.timedelta(days=90))
    other = _published("Nhà nước quản lý chợ", at=now, body="Nhà nước quy định")
    sentence = "nhà nước thu hồi đất của gia đình tôi thì được bồi thường thế nào"
    assert "thuong" not in archive_search.all_terms(sentence)  # a search keeps 12 terms
    assert _ranked(sentence)[:2] == [wanted.pk, other.pk]


@pytest.mark.postgres
def test_relevance_pages_through_the_title_ordered_rows_then_the_tiers_each_row_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 4)
    monkeypatch.setattr(archive_search, "RERANK_ROWS", 5)
    now = timezone.now()
    rows = []
    for i in range(14):
        title = "Đăng ký thường trú" if i % 4 == 3 else f"Hỏi số {i}"
        body = "đăng ký thường trú" if i % 2 else "thường trú, đăng ký xe"
        rows.append(_published(title, at=now - datetime.timedelta(hours=i), body=body).pk)
    sentence = "xin hỏi tôi muốn đăng ký thường trú thì làm thế nào"
    by_cursor = _walk_cursor(search=sentence, ordering="relevance", size=4)
    by_number = []
    for number in (1, 2, 3, 4):
        by_number += _ranked(sentence, size=4, page=number)
    assert by_cursor == by_number and len(set(by_cursor)) == 14
    # One tier (all but one important term: "muốn" is in no row). Its first five rows (RERANK_ROWS) are ordered by
    # their titles (row 3's holds the sentence's terms), the rest follow newest first (7 and 11 too).
    assert by_cursor == [rows[i] for i in (3, 0, 1, 2, 4, *range(5, 14))]
    first = selectors.archive_page(search=sentence, ordering="relevance", size=4)
    assert (first.count, first.count_estimated) == (14, False)
    deep = selectors.archive_page(search=sentence, ordering="relevance", size=4, page=2)
    assert deep.count == 14


@pytest.mark.postgres
def test_a_filtered_relevance_search_orders_only_the_title_scans_rows_then_pages_every_match_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    monkeypatch.setattr(archive_search, "SEARCH_WALK_ROWS", 4)
    monkeypatch.setattr(archive_search, "TITLE_SCAN", 3)
    topic = TopicFactory()
    now = timezone.now()
    rows = []
    for i in range(10):
        title = "Đất đai ở xã" if i == 2 else f"Hỏi số {i}"
        body = "đất đai tranh chấp" if i % 2 == 0 else "đất rừng, đai an toàn"
        rows.append(_published(title, at=now - datetime.timedelta(hours=i), body=body, topic=topic).pk)
    _published("Đất đai", at=now, body="đất đai", topic=TopicFactory())
    by_cursor = _walk_cursor(search="dat dai", topic=topic, ordering="relevance", size=3)
    by_number = []
    for number in (1, 2, 3, 4):
        by_number += _ranked("dat dai", topic=topic, size=3, page=number)
    # The title tier (row 2), the phrase tier's rows the title scan read (0, 4: titles naming nothing), the rest
    # of the phrase tier (6, 8), then the words apart.
    assert by_cursor == by_number == [rows[i] for i in (2, 0, 4, 6, 8, 1, 3, 5, 7, 9)]


@pytest.mark.postgres
def test_the_count_of_a_sentence_reads_only_its_last_tier_which_holds_every_other():
    if connection.vendor != "postgresql":
        pytest.skip("relevance tiers need PostgreSQL")
    sentence = "cho tôi hỏi về việc đăng ký hộ khẩu thường trú cho con"
    text_tiers = archive_search.tiers(sentence)
    assert all(tier.within_last for tier in text_tiers[:-1]) and not text_tiers[-1].within_last
    assert archive_search.loosest(sentence) == f"({text_tiers[-1].base})"
    now = timezone.now()
    for i, title in enumerate(["Đăng ký thường trú", "Hộ khẩu", "Khấu trừ thuế", "Học phí"]):
        _published(title, at=now - datetime.timedelta(days=i))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE qa_search_terms")
    assert archive_search.count_matches(None, archive_search.loosest(sentence)) == (3, False)


# --- Web and API ----------------------------------------------------------------------------------------------------


@pytest.mark.sqlite
def test_the_web_list_links_older_results_without_javascript():
    at = timezone.now()
    for i in range(25):
        _published(f"Câu hỏi số {i:02d}", at=at - datetime.timedelta(minutes=i))
    first = Client().get(reverse("qa:archive"), {"sort": "newest"})
    html = first.content.decode()
    match = re.search(r'href="\?sort=newest&amp;after=([A-Za-z0-9_-]+)"', html)
    assert match, "an 'older results' link"
    older = Client().get(reverse("qa:archive"), {"sort": "newest", "after": match.group(1)})
    titles = [q.public_title for q in older.context["questions"]]
    assert titles == [f"Câu hỏi số {i:02d}" for i in range(20, 25)]
    assert "Newest results" in older.content.decode() or "Kết quả mới nhất" in older.content.decode()
    damaged = Client().get(reverse("qa:archive"), {"after": "xyz"})
    assert damaged.status_code == 200 and damaged.context["cursor_error"]


@pytest.mark.sqlite
def test_the_api_gives_a_cursor_past_the_numbered_pages(client, monkeypatch):
    monkeypatch.setattr(keyset, "MAX_NUMBERED_ROWS", 4)
    at = timezone.now()
    for i in range(9):
        _published(f"Câu hỏi {i}", at=at - datetime.timedelta(minutes=i))
    first = client.get(LIST_URL, {"page_size": 2}).json()
    assert "page=2" in first["next"] and first["count"] == 9 and first["count_estimated"] is False
    second = client.get(LIST_URL, {"page_size": 2, "page": 2}).json()
    assert "cursor=" in second["next"] and "page=" not in second["next"]
    seen = [q["reference"] for q in first["results"] + second["results"]]
    url = second["next"]
    while url:
        body = client.get(url).json()
        seen += [q["reference"] for q in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 9
    assert len(client.get(LIST_URL, {"page_size": 0}).json()["results"]) == 9  # ignored, as DRF does: 20
    assert client.get(LIST_URL, {"page": "x"}).status_code == 404
    too_deep = client.get(LIST_URL, {"page_size": 2, "page": 3})
    assert too_deep.status_code == 404
    assert client.get(LIST_URL, {"cursor": "bad"}).status_code == 400


@pytest.mark.sqlite
def test_archive_filters_combine_with_cursor_pages():
    agency, topic = AgencyFactory(), TopicFactory()
    sub = AgencyFactory(parent=agency)
    at = timezone.now()
    wanted = [
        _published(f"Câu {i}", at=at - datetime.timedelta(days=i), agency=sub if i % 2 else agency, topic=topic)
        for i in range(7)
    ]
    _published("Khác", at=at, agency=AgencyFactory(), topic=topic)
    seen = _walk_cursor(agency=agency, topic=topic, size=3, ordering="views")
    assert sorted(seen) == sorted(q.pk for q in wanted)


def test_a_sentences_own_words_are_not_its_important_terms():
    _terms, important, sentence = archive_search._ranking_terms(
        "công ty tôi muốn tạm ngừng kinh doanh ba tháng được không"
    )
    assert sentence and "muon" not in important and "duoc" not in important
    assert {"ty", "ngung", "doanh"} <= set(important)
    # A query that is not a sentence keeps every word it names.
    _terms, important, sentence = archive_search._ranking_terms("muốn mở cửa hàng")
    assert not sentence and "muon" in important
    # Nor does a sentence made only of such words lose them all (it would find nothing).
    _terms, important, sentence = archive_search._ranking_terms("cho tôi hỏi muốn làm thế nào được không")
    assert sentence and important


@pytest.mark.postgres
def test_no_plain_index_of_published_at_puts_unpublished_questions_before_the_newest():
    """A descending scan of a plain index starts with its NULLs, the questions not published; the planner chose it
    for the list page and skipped 70,000 open questions on each page 1. Only the partial indexes may serve it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'qa_question'")
        indexes = cursor.fetchall()
    serving = [name for name, definition in indexes if "published_at" in definition]
    assert serving and all(
        "WHERE" in definition or definition.split("(", 1)[1].startswith("status")
        for name, definition in indexes
        if name in serving
    ), indexes
