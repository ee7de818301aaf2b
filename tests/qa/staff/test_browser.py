"""Journey 2 in headless Chromium: moderator, answerer, reviewer and asker, each in their own browser.

A moderator accepts and assigns a question, the answerer drafts and sends it for
review (the agency requires review), the reviewer approves, the moderator sends
it and publishes a redacted version; the asker's tracking page shows the answer
and the public archive finds it by a search typed without diacritics.

Selectors are ids and URLs, not wording (the pages follow the user's language).
Screenshots of the queue and the question page go to /tmp/shots/panel-*.png.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Membership
from qa.models import Answer, Question, QuestionEvent
from qa.models import QuestionStatus as S
from tests.browser import new_page
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"viewport": {"width": 1366, "height": 900}}
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "has_touch": True}
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for a human to look at, nothing secret)
PASSWORD = "song-bach-dang-1288"
ANSWER = (
    "Kính gửi ông/bà,\n\n"
    "Theo Luật Đất đai năm 2024, hộ gia đình được chuyển nhượng quyền sử dụng đất nông nghiệp "
    "khi có giấy chứng nhận và đất không có tranh chấp.\n\n"
    "Hồ sơ nộp tại Văn phòng đăng ký đất đai thành phố."
)


def _shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"panel-{name}.png"), full_page=full_page)


def _person(agency, role: str, email: str, name: str):
    user = UserFactory(email=email, full_name=name, password=PASSWORD)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def office():
    agency = AgencyFactory(
        name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tai-nguyen-moi-truong", review_required=True
    )
    land = TopicFactory(name="Đất đai", slug="dat-dai")
    today = timezone.localdate()
    people = {
        "moderator": _person(agency, Membership.Role.MODERATOR, "bientap@stnmt.haiphong.gov.vn", "Lê Thu Hà"),
        "answerer": _person(agency, Membership.Role.ANSWERER, "chuyenvien@stnmt.haiphong.gov.vn", "Phạm Quốc Bảo"),
        "reviewer": _person(agency, Membership.Role.REVIEWER, "lanhdao@stnmt.haiphong.gov.vn", "Vũ Minh Đức"),
    }
    question = QuestionFactory(
        agency=agency,
        topic=land,
        reference="HP-STNMT-2026-000123",
        title="Chuyển nhượng quyền sử dụng đất nông nghiệp cho người ngoài xã",
        body=(
            "Tôi là Trần Thị Bí Mật, số điện thoại 0912345678. Gia đình tôi có 500 m² đất trồng lúa ở huyện "
            "An Lão. Tôi có được chuyển nhượng cho người ở xã khác không, và cần những giấy tờ gì?"
        ),
        consent_to_publish=True,
        transfer_due_date=today + datetime.timedelta(days=6),
    )
    QuestionFactory(
        agency=agency,
        topic=land,
        title="Hỏi về tiền sử dụng đất khi chuyển mục đích",
        transfer_due_date=today - datetime.timedelta(days=1),
    )
    QuestionFactory(
        agency=agency,
        topic=land,
        title="Cấp đổi giấy chứng nhận bị rách, hỏng",
        channel="phone",
        transfer_due_date=today,
    )
    return {"agency": agency, "question": question, **people}


def _log_in(browser, base: str, user, **options):
    page = new_page(browser, base, **options)
    page.on("dialog", lambda dialog: dialog.accept())  # the panel's confirm() prompts
    page.goto(f"{base}/accounts/login/?next=/staff/")
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/staff/")
    return page


def _open_question(page, base: str, reference: str) -> None:
    page.goto(f"{base}/staff/questions/{reference}/")


def _open(page, action: str):
    """The action's panel (a <details>), opened if it is folded."""
    card = page.locator(f"#action-{action}")
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    return card


def _do(page, action: str) -> None:
    """Submit the action's form and wait for the redirect back to the page."""
    card = _open(page, action)
    with page.expect_navigation():
        card.locator("button[type=submit]").click()


def test_moderate_answer_review_publish_and_find(browser, live_server, office):
    base = live_server.url
    question = office["question"]
    ref = question.reference

    # 1. The moderator sees the queue, accepts and assigns.
    moderator = _log_in(browser, base, office["moderator"], **LAPTOP)
    assert moderator.locator(".queue-row").count() == 3
    assert moderator.locator(".queue-tabs a[aria-current=page] .tab-count").inner_text() == "3"
    _shot(moderator, "queue")
    # Keyboard: j selects the first row, Enter opens it.
    moderator.keyboard.press("j")
    assert moderator.locator(".queue-row.is-current").count() == 1
    moderator.goto(f"{base}/staff/?q=chuyen+nhuong+nong+nghiep")
    assert moderator.locator(".queue-row").count() == 1
    moderator.locator(".queue-link").first.click()
    moderator.wait_for_url(f"{base}/staff/questions/{ref}/")
    assert moderator.locator("#contact").inner_text().count("Trần Thị Bí Mật") == 1
    _do(moderator, "accept")
    assert moderator.locator(".badge-accepted").count() == 1
    _open(moderator, "assign")
    moderator.select_option("#id_assign-assignee", str(office["answerer"].pk))
    _do(moderator, "assign")
    question.refresh_from_db()
    assert (question.status, question.assignee_id) == (S.ACCEPTED, office["answerer"].pk)
    _shot(moderator, "question-accepted")

    # 2. The answerer finds it under "mine", drafts, and sends it for review.
    answerer = _log_in(browser, base, office["answerer"], **TABLET)
    answerer.goto(f"{base}/staff/?tab=in_progress&assignee=me")
    assert answerer.locator(".queue-row").count() == 1
    _shot(answerer, "queue-tablet")
    answerer.locator(".queue-link").first.click()
    answerer.wait_for_url(re.compile(rf".*/staff/questions/{ref}/"))
    answerer.fill("#id_answer-body", ANSWER)
    with answerer.expect_navigation():
        answerer.click(".answer-form button[type=submit]")
    assert Answer.objects.get(question=question).body.startswith("<p>Kính gửi ông/bà,</p>")
    assert answerer.locator("#answer .answer-block").is_visible()
    assert answerer.locator("#action-send").count() == 0  # the agency requires review first
    _shot(answerer, "question-tablet")
    _do(answerer, "submit_for_review")
    question.refresh_from_db()
    assert question.status == S.IN_REVIEW

    # 3. The reviewer approves.
    reviewer = _log_in(browser, base, office["reviewer"], **LAPTOP)
    reviewer.goto(f"{base}/staff/?tab=review")
    assert reviewer.locator(".queue-row").count() == 1
    _open_question(reviewer, base, ref)
    assert reviewer.locator("#id_answer-body").count() == 0  # reviewers read, they do not edit
    _do(reviewer, "approve")
    question.refresh_from_db()
    assert question.status == S.APPROVED

    # 4. The moderator sends it, then publishes a redacted public version.
    _open_question(moderator, base, ref)
    _do(moderator, "send")
    question.refresh_from_db()
    assert question.status == S.ANSWERED
    # The public version starts from a redacted copy of what was asked.
    prefilled = moderator.locator("#id_public-public_body").input_value()
    assert "[đã ẩn]" in prefilled and "0912345678" not in prefilled and "Bí Mật" not in prefilled
    moderator.fill(
        "#id_public-public_body",
        "Gia đình tôi có 500 m² đất trồng lúa ở huyện An Lão. Tôi có được chuyển nhượng cho người ở xã khác "
        "không, và cần những giấy tờ gì?",
    )
    with moderator.expect_navigation():
        moderator.click(f"button[formaction='/staff/questions/{ref}/do/publish/']")
    question.refresh_from_db()
    assert question.status == S.PUBLISHED
    assert "0912345678" not in question.public_body and "Bí Mật" not in question.public_body
    assert "Trần Thị Bí Mật" in question.body  # the original stays as asked
    assert moderator.locator(".redaction-hints").count() == 0
    _shot(moderator, "question")
    actions = list(QuestionEvent.objects.filter(question=question).values_list("action", "actor__email"))
    assert [a for a, _ in actions if a != "submit"] == [
        "accept",
        "assign",
        "submit_for_review",
        "approve",
        "send",
        "publish",
    ]

    # 5. The asker's tracking page shows the answer; the asker rates it.
    asker = new_page(browser, base)
    asker.goto(f"{base}{question.tracking_path()}")
    assert "Văn phòng đăng ký đất đai" in asker.locator(".answer-block").inner_text()
    _shot(asker, "track")
    asker.check("#rate-yes")
    with asker.expect_navigation():
        asker.click("#rate button[type=submit]")
    question.refresh_from_db()
    assert question.rating_satisfied is True

    # 6. The public archive finds it by a search without diacritics, without the asker's data.
    visitor = new_page(browser, base)
    visitor.goto(f"{base}/questions/?q=chuyen+nhuong+dat+trong+lua")
    visitor.locator(f"a[href='/questions/{ref}/']").first.click()
    visitor.wait_for_url(f"{base}/questions/{ref}/")
    text = visitor.locator("main").inner_text()
    assert "Văn phòng đăng ký đất đai" in text
    assert "Bí Mật" not in text and "0912345678" not in text
    assert Question.objects.get(pk=question.pk).status == S.PUBLISHED

    for page in (moderator, answerer, reviewer, asker, visitor):
        page.context.close()
