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
            for switch in (True, False):  # the pairs after the first batch; after the words' batches run out
                monkeypatch.setattr(archive, "_pairs_cheaper", lambda *_args, switch=switch: switch)
                ways[switch] = archive._newest_of(queryset, tier, limit, before)
            no_pairs = archive.Tier(tier.tsquery, tier.base, tier.required, tier.within_last)
            ways["words"] = archive._newest_of(queryset, no_pairs, limit, before)
            assert ways == dict.fromkeys(ways, expected), (tier, limit, before)


def _at(pk: int) -> datetime.datetime:
    return Question.objects.values_list("published_at", flat=True).get(pk=pk)


def test_a_phrase_held_apart_is_not_listed_though_both_its_pairs_are(archive_rows, monkeypatch):
    monkeypatch.setattr(archive, "_pairs_cheaper", lambda *_args: True)
    monkeypatch.setattr(archive, "PHRASE_BATCH", 1)
    tier = _phrase_tiers("ho khau thuong tru")[0]
    assert tier.pairs == "'ho_khau' & 'khau_thuong' & 'thuong_tru':*"
    titles = set(Question.objects.filter(pk__in=archive._newest_of(None, tier, 50, None)).values_list("public_title"))
    assert titles == {("Đăng ký hộ khẩu thường trú",)}  # not "Hộ khẩu ở phường": "hộ khẩu", "khẩu thường trú" apart


def test_terms_the_parser_splits_make_no_pairs():
    assert archive._pairs(["nghi", "dinh", "102/2024/nd-cp"], prefix_last=True) == ""
    assert archive._pairs(["b2"], prefix_last=True) == ""
    assert archive._pairs(["hang", "b2"], prefix_last=False) == "'hang_b2'"


@pytest.mark.parametrize(
    ("sample", "held", "following", "expected"),
    [
        ((2000, 1000, 1_000_000), 90, 400, False),  # words in half the rows, nine in ten hold the phrase: walk on
        ((2000, 1000, 1_000_000), 1, 400, False),  # the phrase in 5,000 rows, the walk still cheap: walk on
        ((2000, 10, 1_000_000), 2, 400, True),  # the phrase in about 100 rows: its pairs
        ((2000, 24, 1_000_000), 60, 400, True),  # 400 more of words in 1.2 % of rows: past a walk, to the GIN index
    ],
)
def test_the_pairs_take_over_when_the_phrase_is_rare_or_its_words_would_need_their_index(
    monkeypatch, sample, held, following, expected
):
    monkeypatch.setattr(archive, "_sample", lambda _tsquery: sample)
    assert archive._pairs_cheaper(None, "'a' & 'b'", list(range(held)), list(range(100)), following) is expected


def test_in_a_filtered_scope_only_a_rare_phrase_goes_to_its_pairs(monkeypatch):
    """The pairs' index reads the whole archive's rows of the phrase, of which the scope's are a share."""
    monkeypatch.setattr(archive, "_sample", lambda _tsquery: (2000, 24, 1_000_000))
    scope = Question.objects.filter(status="published")
    assert archive._pairs_cheaper(scope, "'a' & 'b'", list(range(60)), list(range(100)), 400) is False
    assert archive._pairs_cheaper(scope, "'a' & 'b'", list(range(2)), list(range(100)), 400) is True
