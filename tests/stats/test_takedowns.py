"""The public takedown log: unpublished and redacted-after-publication questions, with no text and no names."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from qa import services
from qa.models import QuestionEvent
from qa.models import QuestionStatus as S
from tests.qa.staff_fixtures import question_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_log_shows_category_and_reference_but_no_text(client):
    question = question_in(S.PUBLISHED, public_title="Tiêu đề công khai")
    moderator = staff(question.agency, Membership.Role.MODERATOR)
    services.question_public_version_save(
        actor=moderator, question=question, public_title="Tiêu đề đã sửa", public_body="Nội dung đã ẩn"
    )
    services.question_unpublish(
        actor=moderator, question=question, reason="Có số điện thoại của ông Bí Mật", category="personal_data"
    )
    other = question_in(S.PUBLISHED)
    services.question_unpublish(actor=staff(other.agency, Membership.Role.MODERATOR), question=other)
    unrelated = question_in(S.ANSWERED)  # edited before publication: not a takedown
    services.question_public_version_save(
        actor=staff(unrelated.agency, Membership.Role.MODERATOR),
        question=unrelated,
        public_title="Chưa công khai",
        public_body="Chưa công khai",
    )
    html = client.get(reverse("stats:takedowns")).content.decode()
    assert question.reference in html and other.reference in html and unrelated.reference not in html
    assert "Có thông tin cá nhân" in html  # the category's label
    assert "Sửa nội dung công khai sau khi đăng" in html and "Khác" in html
    for secret in ("Bí Mật", "Tiêu đề", "Nội dung đã ẩn", "0912345678"):
        assert secret not in html
    assert QuestionEvent.objects.get(question=other, action="unpublish").data == {"category": "other"}


def test_unknown_category_is_refused():
    question = question_in(S.PUBLISHED)
    with pytest.raises(Exception, match="category"):
        services.question_unpublish(
            actor=staff(question.agency, Membership.Role.MODERATOR), question=question, category="vì thích"
        )
