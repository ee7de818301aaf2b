"""The web forms only parse and hand over; these check what they hand over and how they group choices."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from qa.forms import ArchiveFilterForm, AskForm, agency_choices
from tests.factories import AgencyFactory, TopicFactory
from tests.uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def tree():
    city = AgencyFactory(name="UBND thành phố", slug="ubnd")
    dept = AgencyFactory(name="Sở Xây dựng", slug="so-xd", parent=city)
    ward = AgencyFactory(name="Phòng Quản lý đô thị", slug="qldt", parent=dept)
    lone = AgencyFactory(name="Ban Dân tộc", slug="ban-dan-toc")
    return [city, dept, ward, lone]


def test_agency_choices_group_each_tree_under_its_root(tree):
    city, dept, ward, lone = tree
    choices = agency_choices(tree)
    assert choices[0][0] == "UBND thành phố"
    group = choices[0][1]
    assert [value for value, _ in group] == [str(city.pk), str(dept.pk), str(ward.pk)]
    # Deeper levels are indented so the tree reads without JavaScript.
    assert group[2][1].endswith("Phòng Quản lý đô thị") and group[2][1] != "Phòng Quản lý đô thị"
    assert choices[1] == (str(lone.pk), "Ban Dân tộc")


def test_agency_under_an_inactive_parent_is_its_own_root(tree):
    _city, dept, ward, lone = tree
    choices = agency_choices([dept, ward, lone])
    assert choices[0][0] == "Sở Xây dựng"


def _ask_form(data, files=None, agencies=(), topics=()):
    return AskForm(data, files or {}, agencies=list(agencies), topics=list(topics))


def test_service_arguments_map_ids_to_objects_and_unknown_ids_to_none(tree):
    topic = TopicFactory()
    form = _ask_form(
        {
            "agency": str(tree[1].pk),
            "topic": str(topic.pk),
            "title": " Tiêu đề ",
            "asker_type": "individual",
            "consent_to_publish": "on",
        },
        agencies=tree,
        topics=[topic],
    )
    assert form.is_valid(), form.errors
    arguments = form.service_arguments(["file"])
    assert arguments["agency"] == tree[1] and arguments["topic"] == topic
    assert arguments["title"] == " Tiêu đề "  # the service normalises, the form keeps what was typed
    assert arguments["consent_to_publish"] is True and arguments["attachments"] == ["file"]

    # An id no offered agency has (not a fixed number: under xdist the sequences can reach any value).
    missing = str(max(agency.pk for agency in tree) + 1)
    unknown = _ask_form({"agency": missing, "topic": "abc"}, agencies=tree, topics=[topic])
    assert unknown.is_valid()
    assert unknown.service_arguments([])["agency"] is None
    assert unknown.service_arguments([])["topic"] is None
    assert unknown.service_arguments([])["consent_to_publish"] is False


def test_every_field_is_left_to_the_service():
    # An empty form is valid for the form: the service words every "required" message.
    assert _ask_form({}).is_valid()


def test_honeypot():
    filled = _ask_form({"website": "http://x"})
    assert filled.is_valid() and filled.is_spam
    clean = _ask_form({"website": "  "})
    assert clean.is_valid() and not clean.is_spam


def test_multiple_files_are_passed_on_as_a_list():
    from django.utils.datastructures import MultiValueDict

    files = MultiValueDict(
        {"attachments": [SimpleUploadedFile("a.pdf", pdf_bytes()), SimpleUploadedFile("b.pdf", pdf_bytes())]}
    )
    form = _ask_form({}, files=files)
    assert form.is_valid()
    assert [f.name for f in form.cleaned_data["attachments"]] == ["a.pdf", "b.pdf"]


def test_service_errors_land_on_fields_and_unknown_keys_on_top():
    form = _ask_form({})
    form.is_valid()
    form.add_service_errors({"title": ["Tiêu đề trống"], "storage": ["Lỗi lưu trữ"], "__all__": ["Lỗi chung"]})
    assert form.errors["title"] == ["Tiêu đề trống"]
    assert form.non_field_errors() == ["Lỗi lưu trữ", "Lỗi chung"]


def _archive_form(data, agencies=(), topics=()):
    form = ArchiveFilterForm(data, agencies=list(agencies), topics=list(topics))
    form.is_valid()
    return form


def test_archive_form_defaults_to_relevance_only_when_searching(tree):
    assert _archive_form({"q": "đất đai"}).archive_arguments()["ordering"] == "relevance"
    assert _archive_form({}).archive_arguments()["ordering"] == "newest"
    assert _archive_form({"sort": "relevance"}).archive_arguments()["ordering"] == "newest"
    assert _archive_form({"q": "x", "sort": "views"}).archive_arguments()["ordering"] == "views"


def test_archive_form_agency_by_slug_and_grouped(tree):
    topic = TopicFactory(slug="xay-dung")
    form = _archive_form({"agency": "so-xd", "topic": "xay-dung"}, agencies=tree, topics=[topic])
    arguments = form.archive_arguments()
    assert arguments["agency"] == tree[1] and arguments["topic"] == topic
    assert form.fields["agency"].choices[1][0] == "UBND thành phố"


def test_archive_form_ignores_invalid_values_with_a_message(tree):
    with translation.override("en"):
        form = _archive_form({"agency": "nope", "date_from": "hôm qua", "sort": "x"}, agencies=tree)
        assert set(form.errors) == {"agency", "date_from", "sort"}
        arguments = form.archive_arguments()
    assert arguments["agency"] is None and arguments["date_from"] is None and arguments["ordering"] == "newest"


def test_archive_form_reversed_dates_are_ignored():
    with translation.override("en"):
        form = _archive_form({"date_from": "2026-05-01", "date_to": "2026-01-01"})
        assert form.errors["date_to"] == ["The end date is before the start date."]
    arguments = form.archive_arguments()
    assert arguments["date_from"] is None and arguments["date_to"] is None
    fine = _archive_form({"date_from": "2026-01-01", "date_to": "2026-05-01"}).archive_arguments()
    assert fine["date_from"] == datetime.date(2026, 1, 1) and fine["date_to"] == datetime.date(2026, 5, 1)
