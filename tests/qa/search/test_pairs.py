"""Phrase tiers through the adjacent pairs (qa migration 0015): the same rows, in the same order, whichever way
the candidates are found — the pairs first, the words first then the pairs, or the words and the GIN index alone —
and exactly the rows whose positions hold the phrase."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from qa.models import Question
from qa.search import archive
from tests.factories import AgencyFactory, PublishedQuestionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TEXTS = [
    ("Giải thể hộ kinh doanh", "Tôi muốn giải thể hộ kinh doanh cá thể."),
    ("Giải quyết hồ sơ", "Thể thao xã có được giải thưởng không?"),  # the words, never adjacent
    ("Đăng ký hộ khẩu thường trú", "Hộ khẩu thường trú của con tôi."),
    ("Hộ khẩu ở phường", "Khẩu thường trú và hộ khẩu tạm trú khác nhau thế nào?"),  # both pairs, never the phrase
    ("Giải thể doanh nghiệp tư nhân", "Thủ tục giải thể doanh nghiệp."),
    ("Thường trú cho con", "Hộ khẩu của gia đình thường trú ở xã."),
    ("Thành lập hộ kinh doanh", "Hồ sơ thành lập hộ kinh doanh gồm những gì?"),
    ("Giải thể hợp tác xã", "Hợp tác xã giải thể thì tài sản xử lý thế nào?"),
]
PHRASES = ["giai the", "giải thể", "ho khau thuong tru", "hộ kinh", "ho kinh d", "thuong tru cho con", "the ho"]


@pytest.fixture
def archive_rows():
    if connection.vendor != "postgresql":
        pytest.skip("qa_search_pairs exists on PostgreSQL only")
    agencies = [AgencyFactory(), AgencyFactory()]
    now = timezone.now()
    rows = []
    for copy in range(4):
        for index, (title, body) in enumerate(TEXTS):
            at = now - datetime.timedelta(hours=copy * len(TEXTS) + index)
            rows.append(
                PublishedQuestionFactory(
                    public_title=title, public_body=body, published_at=at, agency=agencies[(copy + index) % 2]
                )
            )
    return agencies


def _truth(queryset, tsquery: str) -> list[int]:
    base = queryset if queryset is not None else Question.objects.filter(status="published")
    return list(archive._matching(base, tsquery).order_by("-published_at", "-id").values_list("pk", flat=True))


def _phrase_tiers(query: str) -> list[archive.Tier]:
    return [tier for tier in archive.tiers(query) if "<->" in tier.base]


@pytest.mark.parametrize("query", PHRASES)
@pytest.mark.parametrize("scoped", [False, True])
def test_every_way_lists_exactly_the_rows_holding_the_phrase(archive_rows, monkeypatch, query, scoped):
    queryset = Question.objects.filter(status="published", agency=archive_rows[0]) if scoped else None
    monkeypatch.setattr(archive, "PHRASE_BATCH", 2)  # several batches, and the words' rounds run out
    monkeypatch.setattr(archive, "PHRASE_ROUNDS", 2)
    tiers = _phrase_tiers(query)
    assert tiers and all(tier.pairs for tier in tiers)
    for tier in tiers:
        truth = _truth(queryset, tier.tsquery)
        for limit, before in [(3, None), (50, None), (50, None if not truth else (_at(truth[0]), truth[0]))]:
            expected = [pk for pk in truth if before is None or (_at(pk), pk) < before][:limit]
            ways = {}
            for share in (1.0, 0.0):  # pairs first; the words first, then the pairs
                monkeypatch.setattr(archive, "PAIR_FIRST_SHARE", share)
                ways[share] = archive._newest_of(queryset, tier, limit, before)
            no_pairs = archive.Tier(tier.tsquery, tier.base, tier.required, tier.within_last)
            ways["words"] = archive._newest_of(queryset, no_pairs, limit, before)
            assert ways == dict.fromkeys(ways, expected), (tier, limit, before)


def _at(pk: int) -> datetime.datetime:
    return Question.objects.values_list("published_at", flat=True).get(pk=pk)


def test_a_phrase_held_apart_is_not_listed_though_both_its_pairs_are(archive_rows, monkeypatch):
    monkeypatch.setattr(archive, "PAIR_FIRST_SHARE", 1.0)
    tier = _phrase_tiers("ho khau thuong tru")[0]
    assert tier.pairs == "'ho_khau' & 'khau_thuong' & 'thuong_tru':*"
    titles = set(Question.objects.filter(pk__in=archive._newest_of(None, tier, 50, None)).values_list("public_title"))
    assert titles == {("Đăng ký hộ khẩu thường trú",)}  # not "Hộ khẩu ở phường": "hộ khẩu", "khẩu thường trú" apart


def test_terms_the_parser_splits_make_no_pairs():
    assert archive._pairs(["nghi", "dinh", "102/2024/nd-cp"], prefix_last=True) == ""
    assert archive._pairs(["b2"], prefix_last=True) == ""
    assert archive._pairs(["hang", "b2"], prefix_last=False) == "'hang_b2'"


def test_the_share_of_a_pair_comes_from_the_statistics(monkeypatch):
    monkeypatch.setattr(archive, "_pair_frequencies", {"thu_tuc": 0.3, "giai_the": 0.01, "giai_thich": 0.02})
    assert archive._pair_share("'thu_tuc'") == 0.3
    assert archive._pair_share("'thu_tuc' & 'giai_the'") == 0.01
    assert archive._pair_share("'giai_th':*") == pytest.approx(0.03)  # a prefix stands for every pair it starts
    assert archive._pair_share("'tach_thua'") == 0.01  # unknown: rarer than the rarest known
