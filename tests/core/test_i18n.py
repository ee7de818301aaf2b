"""Help texts follow the language of the request, not the one active when the module was imported."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.i18n import lazy_format
from qa.asker_forms import FollowUpForm, RatingForm, ReplyForm
from qa.forms import FILES_HELP, AskForm


def test_lazy_format_formats_in_the_language_active_when_shown():
    text = lazy_format(gettext_lazy("A short summary, at most %(max)d characters."), max=120)
    with translation.override("en"):
        assert str(text) == "A short summary, at most 120 characters."
    with translation.override("vi"):
        assert str(text) == "Tóm tắt ngắn gọn, tối đa 120 ký tự."


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (AskForm, "title"),
        (AskForm, "body"),
        (AskForm, "attachments"),
        (ReplyForm, "body"),
        (RatingForm, "comment"),
        (FollowUpForm, "body"),
    ],
)
def test_form_help_texts_change_language(form, field):
    help_text = form.base_fields[field].help_text
    with translation.override("en"):
        english = str(help_text)
    with translation.override("vi"):
        vietnamese = str(help_text)
    assert english != vietnamese
    assert any(ch.isdigit() for ch in english) and any(ch.isdigit() for ch in vietnamese)  # the limit is filled in


def test_the_upload_help_names_the_limits():
    with translation.override("en"):
        assert str(FILES_HELP).startswith("Up to ")
        assert "%(" not in str(FILES_HELP)
