"""Vietnamese alphabetical order of agencies and topics (accounts.collation), in the pages, selects and API."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.collation import sorted_vi, vi_sort_key
from tests.factories import AgencyFactory, TopicFactory


def test_letters_then_tones():
    words = ["Bạ", "Đất đai", "Bác", "Uy", "Ba", "Ư", "Dân số", "Bã", "Bá", "Bả", "Bà", "Zalo", "Ăn", "An", "Ân"]
    assert sorted(words, key=vi_sort_key) == [
        "An", "Ăn", "Ân",  # ă and â are letters of their own, after a
        "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ",  # one spelling: ngang, huyền, hỏi, ngã, sắc, nặng
        "Bác",  # letters first: every "ba…" tone before a longer word
        "Dân số", "Đất đai",  # Đ after every D
        "Uy", "Ư", "Zalo",
    ]  # fmt: skip


def test_words_and_case_and_composition():
    # Word by word (a space sorts before any letter), case and NFC/NFD spelling do not change the place.
    assert sorted(["Thuế", "Thủ tục", "thủ tục hành chính"], key=vi_sort_key) == [
        "Thủ tục",
        "thủ tục hành chính",
        "Thuế",
    ]
    import unicodedata

    assert vi_sort_key("Đường")[:2] == vi_sort_key(unicodedata.normalize("NFD", "đường"))[:2]
    assert vi_sort_key("Sở Y tế") < vi_sort_key("Sở Ytế") and vi_sort_key("") < vi_sort_key("a")


def test_sorted_vi_uses_the_name():
    class Named:
        def __init__(self, name):
            self.name = name

    assert [n.name for n in sorted_vi([Named("Sở Y tế"), Named("Sở Du lịch"), Named("Sở Đất")])] == [
        "Sở Du lịch",
        "Sở Đất",
        "Sở Y tế",
    ]


AGENCIES = ["Sở Y tế", "Sở Đường thủy", "Sở Du lịch", "Sở Ăn uống", "Sở An ninh"]
EXPECTED = ["Sở An ninh", "Sở Ăn uống", "Sở Du lịch", "Sở Đường thủy", "Sở Y tế"]


@pytest.fixture
def directory(db):
    for i, name in enumerate(AGENCIES):
        AgencyFactory(name=name, slug=f"so-{i}", code=f"HP-S{i}")
    for i, name in enumerate(["Đất đai", "Dân số", "Y tế", "An toàn"]):
        TopicFactory(name=name, slug=f"lv-{i}")


def _options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [name.strip() for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select) if value]


@pytest.mark.django_db
def test_the_ask_form_and_archive_filter_list_in_vietnamese_order(directory):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    ask = client.get(reverse("qa:ask")).content.decode()
    assert _options(ask, "id_agency") == EXPECTED
    assert _options(ask, "id_topic") == ["An toàn", "Dân số", "Đất đai", "Y tế"]
    archive = client.get(reverse("qa:archive")).content.decode()
    assert _options(archive, "id_agency") == EXPECTED


@pytest.mark.django_db
def test_the_directory_api_lists_in_vietnamese_order(directory):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert [a["name"] for a in client.get("/api/v1/agencies/").json()] == EXPECTED
    assert [t["name"] for t in client.get("/api/v1/topics/").json()] == ["An toàn", "Dân số", "Đất đai", "Y tế"]


@pytest.mark.django_db
def test_the_statistics_selects_list_in_vietnamese_order(directory):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("stats:statistics")).content.decode()
    assert [n.replace("\xa0", "").strip("— ") for n in _options(page, "f-agency")] == EXPECTED
    assert _options(page, "f-topic") == ["An toàn", "Dân số", "Đất đai", "Y tế"]
