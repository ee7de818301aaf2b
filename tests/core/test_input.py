"""The shared input path (core/input.py, config/parsers.py): null characters, bidi controls, JSON depth and size.

Bidi controls are removed on input, so every place that shows user text (titles, bodies, answers, names,
live questions) shows it without them; each kind of text is checked through the service that saves it.
"""

import io
import json
import time
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.exceptions import ParseError

from accounts.services import user_update_profile
from core.input import clean_text, contains_null, json_too_deep
from core.parsers import LimitedJSONParser
from dialogues.services import live_question_ask
from qa.models import Question, QuestionStatus
from qa.sanitize import clean_answer_html, clean_plain_text
from qa.services.moderation import internal_note_add, question_public_version_save
from tests.dialogues.factories import LiveSessionFactory
from tests.factories import AgencyFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


# --- clean_text -------------------------------------------------------------------------------


def test_clean_text_is_nfc_trimmed_and_without_bidi_controls():
    assert clean_text(f"  Ho\u0309i {RLO}fdp.exe{BIDI} ") == "Hỏi fdp.exe"
    assert clean_text(None) == "" and clean_text("") == ""
    # Marks that do not change direction stay: Arabic or Hebrew text still reads right.
    assert clean_text("\u200fשלום\u200e 🙏") == "\u200fשלום\u200e 🙏"


def test_clean_text_refuses_a_null_character():
    with pytest.raises(ValidationError) as caught:
        clean_text("a\x00b")
    assert caught.value.code == "null_characters_not_allowed"


def test_contains_null_looks_in_keys_and_nested_values():
    assert not contains_null({"a": [1, "b", {"c": None}]})
    assert contains_null({"a": [1, "b", {"c": "\x00"}]})
    assert contains_null({"\x00": 1})


# --- json_too_deep ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "deep"),
    [
        ("[[[]]]", 3, False),
        ("[[[[]]]]", 3, True),
        ('{"a": {"b": {"c": 1}}}', 3, False),
        ('{"a": {"b": {"c": {}}}}', 3, True),
        ('["[[[[[[", "{{{{{{"]', 2, False),  # brackets inside strings do not count
        ('["\\"[[[[[[", 1]', 2, False),  # nor after an escaped quote
        ("[[], [], [], [], []]", 1, True),
        ("[[], [], [], [], []]", 2, False),  # siblings are not depth
    ],
)
def test_json_depth_is_read_from_the_raw_text(text, limit, deep):
    assert json_too_deep(text.encode(), limit) is deep
    assert json_too_deep(text, limit) is deep


def test_a_megabyte_of_brackets_is_judged_quickly_without_recursion():
    started = time.perf_counter()
    assert json_too_deep(b"[" * 1_000_000, 32)
    assert not json_too_deep(b"[" + b"[]," * 300_000 + b"[]]", 32)
    assert time.perf_counter() - started < 2


# --- LimitedJSONParser ------------------------------------------------------------------------


def _parse(body: bytes):
    return LimitedJSONParser().parse(io.BytesIO(body), "application/json", {"encoding": "utf-8"})


def test_parser_accepts_json_at_the_limits(settings):
    settings.API_JSON_MAX_BYTES = 1000
    assert _parse(json.dumps({"a": "x" * 900}).encode()) == {"a": "x" * 900}
    assert _parse(("[" * 32 + "]" * 32).encode()) is not None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[" * 33 + b"]" * 33, "json_too_deep"),
        (json.dumps({"a": "x" * 20_000}).encode(), "body_too_large"),
        (b'{"a": "\xff"}', "bad_encoding"),
        (b'{"a": ' + b"9" * 5000 + b"}", "bad_json"),  # more digits than Python converts to an int
        (b"{a", "bad_json"),
        (b'{"a": NaN}', "bad_json"),
    ],
)
def test_parser_refuses_with_a_code(settings, body, code):
    settings.API_JSON_MAX_BYTES = 10_000
    with pytest.raises(ParseError) as caught:
        _parse(body)
    assert caught.value.get_codes() == code


# --- Bidi controls, through each service that saves user text ------------------------------------


@pytest.mark.django_db
def test_names_are_saved_without_bidi_controls():
    user = UserFactory()
    user_update_profile(user=user, full_name=f"Nguyễn {RLO}naV", phone="", language="vi")
    user.refresh_from_db()
    assert user.full_name == "Nguyễn naV"


@pytest.mark.django_db
def test_public_versions_notes_and_answers_are_saved_without_bidi_controls():
    agency = AgencyFactory()
    question = question_in(QuestionStatus.ACCEPTED, agency)
    staff = moderator(agency)
    saved = question_public_version_save(
        actor=staff, question=question, public_title=f"Hỏi {RLO}gpj.exe", public_body=f"Nội dung &#x202E;{LRI}x{PDI}"
    )
    assert saved.public_title == "Hỏi gpj.exe" and saved.public_body == "Nội dung x"
    note = internal_note_add(actor=staff, question=question, body=f"Ghi chú {RLO}")
    assert note.body == "Ghi chú"
    assert clean_answer_html(f"<p>Trả lời &#x202E;{RLO}<a href='https://x.vn/&#x202e;'>x</a></p>") == (
        '<p>Trả lời <a href="https://x.vn/" rel="nofollow noopener">x</a></p>'
    )
    assert clean_plain_text(f"a&#8238;b{RLO}") == "ab"


@pytest.mark.django_db
def test_live_questions_and_their_names_are_saved_without_bidi_controls():
    session = LiveSessionFactory()
    question = live_question_ask(
        session_id=session.pk,
        actor=None,
        text=f"Hỏi {RLO}ve\u0302\u0300 đất",
        display_name=f"Lan{LRI}",
        browser_key="b:1",
    )
    assert question.text == "Hỏi về đất" and question.display_name == "Lan"


@pytest.mark.django_db
def test_the_ask_form_saves_and_shows_the_title_without_the_override(settings):
    settings.QA_SUBMIT_RATE_PER_IP = "1000/h"
    agency, topic = AgencyFactory(), TopicFactory()
    data = {
        "agency": str(agency.pk),
        "topic": str(topic.pk),
        "title": f"Hỏi về thủ tục {RLO}fdp.exe tách thửa",
        "body": f"Gia đình tôi muốn tách thửa đất {RLO}, xin hỏi cần hồ sơ gì?",
        "asker_type": "individual",
        "name": f"Lê Văn {RLO}iỏH",
        "email": "le.van.hoi@example.vn",
        "consent_to_publish": "on",
        "website": "",
    }
    response = Client().post(reverse("qa:ask"), data)
    assert response.status_code == 302, response.content[:2000]
    question = Question.objects.get()
    assert RLO not in question.title + question.body + question.contact.name
    assert question.title == "Hỏi về thủ tục fdp.exe tách thửa"


@pytest.mark.django_db
def test_a_null_character_in_a_form_field_is_refused_and_saves_nothing():
    agency, topic = AgencyFactory(), TopicFactory()
    data = {"agency": agency.pk, "topic": topic.pk, "title": "a\x00", "body": "b", "email": "a@example.vn"}
    # URL-encoded: refused before any view (core.input), a translated 400.
    response = Client().post(reverse("qa:ask"), urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "null" in response.content.decode()
    # Multipart (the ask form with files): the form's field refuses it and the page says so.
    response = Client().post(reverse("qa:ask"), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["title"]] == ["null_characters_not_allowed"]
    assert not Question.objects.exists()
