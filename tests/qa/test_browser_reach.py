"""Issue 18 in Chromium: the rough edges a real user hits, at 390 px.

Public pages pass axe (no serious or critical violation) and do not shift their layout; an e-mail asker
resends the link and corrects a mistyped address without retyping the question (a fixed field loses its
error at once); a vote shows and survives reloads; the staff queue is a list of cards on a phone with the
unread count beside "Menu"; notifications name their question, group by it, and are read once it is opened.
Screenshots for the README's tour: UPDATE_DOCS_SCREENSHOTS=1 (tests/reach_browser.py).
"""

import re

import pytest
from django.core import mail

from accounts.models import Membership
from notifications.models import Channel, Notification
from qa.messaging import notify_staff
from qa.models import AskerContact, Question, QuestionStatus
from tests.browser import new_page
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PublishedQuestionFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)
from tests.qa.test_browser_guest import portal  # noqa: F401 (fixture)
from tests.reach_browser import CLS_OBSERVER, PHONE_390, axe_serious, cls, doc_shot, slow_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-an-toan-123"  # tests.factories.UserFactory's


def _phone(browser, live_server):
    page = new_page(browser, live_server.url, **PHONE_390)
    page.context.add_init_script(CLS_OBSERVER)
    return page


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_public_pages_pass_axe_and_the_home_page_does_not_shift(browser, live_server, portal):  # noqa: F811
    published = Question.objects.filter(status=QuestionStatus.PUBLISHED).first()
    page = _phone(browser, live_server)
    slow_phone(page)
    try:
        pages = [
            ("home", "/"),
            ("ask", "/ask/"),
            ("archive", "/questions/"),
            ("answer", published.get_absolute_url()),
            ("lookup", "/lookup/"),
            ("lost-link", "/lost-link/"),
        ]
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, name
            shift, entries = cls(page, settle_ms=800 if name != "home" else 1500)
            assert shift < 0.1, f"{name}: CLS {shift:.3f} {entries}"
            assert axe_serious(page) == [], name
            assert _no_sideways_scroll(page), name
            doc_shot(page, f"tour-{name}")
    finally:
        page.context.close()


def test_email_asker_resends_and_corrects_the_address_without_retyping(browser, live_server, portal):  # noqa: F811
    page = _phone(browser, live_server)
    try:
        page.goto(f"{live_server.url}/ask/")
        page.select_option("#id_agency", str(portal["agency"].pk))
        page.select_option("#id_topic", str(portal["topic"].pk))
        page.fill("#id_title", "Hỏi về thủ tục tách thửa đất ở")
        page.fill("#id_body", "Gia đình tôi có 120 m² đất ở phường Đông Hải, xin hỏi có được tách thửa không?")
        page.fill("#id_name", "Trần Văn Bình")
        page.check("#id_asker_type_0")
        page.fill("#id_email", "binh.tran@gmial.com")  # the typo a person makes
        page.click("#ask-form button[type=submit]")
        page.wait_for_url(re.compile(r"/ask/sent/HP-STNMT-\d{4}-\d{6}/$"))
        question = Question.objects.get(status=QuestionStatus.UNVERIFIED)
        assert page.locator("#confirm-help").is_visible()
        assert "bi•••@gmial.com" in page.inner_text("#confirm-help")
        assert axe_serious(page) == []

        page.click("form[action$='/resend/'] button")
        page.wait_for_selector(".message-success")
        assert [m.to for m in mail.outbox] == [["binh.tran@gmial.com"]] * 2

        page.click("details.email-correct summary")
        page.fill("#id_email", "binh.tran@gmial")
        page.click("form[action$='/change-email/'] button")
        page.wait_for_selector("#field-email.has-error")
        assert page.locator("#id_email_error").is_visible()
        assert axe_serious(page) == []
        # Fixing the field clears its error at once, before sending.
        page.fill("#id_email", "binh.tran@gmail.com")
        assert page.locator("#field-email.has-error").count() == 0
        assert page.locator("#id_email_error").is_hidden()
        doc_shot(page, "tour-ask-sent")
        page.click("form[action$='/change-email/'] button")
        page.wait_for_selector(".message-success")
        assert mail.outbox[-1].to == ["binh.tran@gmail.com"]
        assert AskerContact.objects.get(question=question).email == "binh.tran@gmail.com"
        path = re.search(r"https?://[^/\s]+(/confirm/\S+/)", mail.outbox[-1].body).group(1)
        page.goto(f"{live_server.url}{path}")
        page.wait_for_url(re.compile(r"/receipt/"))
        question.refresh_from_db()
        assert question.status == QuestionStatus.SUBMITTED and question.title == "Hỏi về thủ tục tách thửa đất ở"
        assert axe_serious(page) == []
        doc_shot(page, "tour-receipt")
    finally:
        page.context.close()


def test_a_vote_shows_at_once_and_survives_reloads(browser, live_server, settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 60
    question = PublishedQuestionFactory(public_title="Lệ phí cấp bản sao trích lục khai sinh")
    url = f"{live_server.url}{question.get_absolute_url()}"
    page = _phone(browser, live_server)
    try:
        page.goto(url)
        page.click("#helpful button[value=yes]")
        page.wait_for_selector("#helpful [data-my-vote=yes]")
        for _ in range(2):
            page.reload()
            assert page.locator("#helpful [data-my-vote=yes]").is_visible()
            assert page.locator("#helpful button[name=helpful]").count() == 0
        question.refresh_from_db()
        assert question.helpful_yes == 1
    finally:
        page.context.close()


@pytest.fixture
def desk(live_server, settings):
    settings.SITE_URL = live_server.url  # the items' links point at the server the browser uses
    agency = AgencyFactory(name="Sở Tư pháp", code="HP-STP", slug="so-tu-phap")
    topic = TopicFactory(name="Hộ tịch", slug="ho-tich")
    officer = UserFactory(email="bientap@stp.haiphong.gov.vn", full_name="Lê Thu Hà", language="vi")
    MembershipFactory(user=officer, agency=agency, role=Membership.Role.MODERATOR)
    titles = [
        "Đăng ký khai sinh cho con sinh ở tỉnh khác",
        "Cấp phiếu lý lịch tư pháp số 2 cho người đi xuất khẩu lao động",
        "Chứng thực bản sao giấy tờ tiếng nước ngoài",
        "Thay đổi họ cho con sau khi ly hôn",
    ]
    questions = [QuestionFactory(agency=agency, topic=topic, title=title) for title in titles]
    from django.db import transaction

    with transaction.atomic():
        for question in questions[:2]:
            notify_staff(question, "new_question", user_ids=[officer.pk])
        notify_staff(questions[0], "assigned", user_ids=[officer.pk])
    return officer, questions


def _log_in(browser, live_server, user):
    page = new_page(browser, live_server.url, **PHONE_390)
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/")
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    return page


def test_staff_queue_is_cards_on_a_phone_and_the_badge_leaves_the_menu_button_free(browser, live_server, desk):
    officer, questions = desk
    page = _log_in(browser, live_server, officer)
    try:
        assert _no_sideways_scroll(page)
        rows = page.locator(".queue-table .queue-row")
        assert rows.count() == len(questions)
        wrap = page.locator(".queue-cards")
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # no scrolling box
        first = rows.first.bounding_box()
        second = rows.nth(1).bounding_box()
        assert second["y"] >= first["y"] + first["height"]  # stacked cards, not table rows side by side
        assert first["width"] > 300
        card = rows.first
        for part in (".reference", ".queue-title", ".badge-status"):
            assert card.locator(part).first.is_visible(), part
        assert page.locator("thead").first.is_hidden() or page.locator("thead").first.bounding_box()["height"] <= 1
        # The unread count sits inside the Menu button, not over its word or its edge.
        menu = page.locator("button.nav-toggle").bounding_box()
        badge = page.locator("button.nav-toggle .badge-count").bounding_box()
        label = page.locator("button.nav-toggle").evaluate(
            "b => { const r = document.createRange(); r.selectNodeContents(b.firstChild);"
            " const box = r.getBoundingClientRect(); return {x: box.x, width: box.width}; }"
        )
        assert badge["x"] >= label["x"] + label["width"] - 0.5
        assert menu["x"] <= badge["x"] and badge["x"] + badge["width"] <= menu["x"] + menu["width"] + 0.5
        assert menu["y"] <= badge["y"] and badge["y"] + badge["height"] <= menu["y"] + menu["height"] + 0.5
        assert axe_serious(page) == []
        page.locator("#queue-summary").evaluate("el => el.scrollIntoView()")
        doc_shot(page, "tour-staff-queue-phone")
    finally:
        page.context.close()


def test_notifications_name_their_question_group_and_are_read_once_it_is_opened(browser, live_server, desk):
    officer, questions = desk
    first, second = questions[0], questions[1]
    page = _log_in(browser, live_server, officer)
    try:
        page.goto(f"{live_server.url}/notifications/")
        cards = page.locator("[data-notification-list] article.notification")
        assert cards.count() == 2  # three items, two questions
        texts = cards.all_inner_texts()
        assert any(first.reference in text and first.title in text for text in texts)
        assert any(second.reference in text and second.title in text for text in texts)
        assert page.locator("details.notification-earlier").count() == 1
        assert axe_serious(page) == []
        doc_shot(page, "tour-notifications-phone")

        # Opening the question (not the item) reads its two items; the other question's stays unread.
        page.goto(f"{live_server.url}/staff/questions/{first.reference}/")
        unread = Notification.objects.filter(recipient=officer, channel=Channel.IN_APP, read_at__isnull=True)
        assert list(unread.values_list("context__question__id", flat=True)) == [second.pk]
        page.goto(f"{live_server.url}/notifications/")
        assert page.locator("article.notification.is-unread").count() == 1
        assert page.locator("button.nav-toggle [data-unread-count]").inner_text() == "1"
        # Following the other item reads it too.
        page.click("article.notification.is-unread h2 a")
        page.wait_for_url(re.compile(rf"/staff/questions/{second.reference}/$"))
        assert not unread.exists()
    finally:
        page.context.close()
