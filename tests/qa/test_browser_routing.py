"""The ask form proposes the competent agency while the citizen types (qa.routing), accessibly, on a phone."""

import pytest

from qa.routing import forget, train
from tests.browser import new_page
from tests.factories import AgencyFactory, TopicFactory
from tests.qa.routing.history import WORDS, answered
from tests.reach_browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def history(settings):
    settings.QA_ROUTING_MIN_QUESTIONS = 30
    settings.QA_ROUTING_CONFIDENT = 0.5
    agencies = {
        "land": AgencyFactory(name="Sở Nông nghiệp và Môi trường", code="HP-SNNMT"),
        "tax": AgencyFactory(name="Thuế thành phố Hải Phòng", code="HP-THUE"),
        "school": AgencyFactory(name="Sở Giáo dục và Đào tạo", code="HP-SGDDT"),
    }
    topics = {
        kind: TopicFactory(name=name) for kind, name in (("land", "Đất đai"), ("tax", "Thuế"), ("school", "Giáo dục"))
    }
    answered(dict.fromkeys(WORDS, 25), agencies, topics)
    forget()
    train(compare_knn=False)
    yield agencies, topics
    forget()


def test_typing_a_land_question_proposes_the_land_department(browser, live_server, history):
    agencies, topics = history
    page = new_page(browser, live_server.url, **PHONE_360)
    try:
        page.goto(f"{live_server.url}/ask/")
        assert page.locator("input[name=suggest]").count() == 0  # with JavaScript the list comes by itself
        page.fill("#id_title", "xin hỏi thủ tục cấp lại sổ đỏ bị mất")
        first = page.locator("#routing-result .routing-list li").first
        first.wait_for()
        assert "Sở Nông nghiệp và Môi trường" in first.inner_text()
        assert page.locator("#routing-result").get_attribute("aria-live") == "polite"
        assert page.input_value("#id_agency") == str(agencies["land"].pk)  # confident: preselected
        assert page.input_value("#id_topic") == str(topics["land"].pk)
        # A choice by hand is never overwritten by a later suggestion.
        page.select_option("#id_agency", str(agencies["tax"].pk))
        page.fill("#id_body", "Gia đình tôi cần tách thửa và chuyển nhượng đất.")
        page.wait_for_timeout(1200)
        assert page.input_value("#id_agency") == str(agencies["tax"].pk)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert axe_serious(page) == []
    finally:
        page.context.close()


def test_the_form_still_sends_when_the_suggestion_fails(browser, live_server, history):
    agencies, topics = history
    page = new_page(browser, live_server.url, **PHONE_360)
    page.route("**/suggest-routing/**", lambda route: route.fulfill(status=500, body="boom"))
    try:
        page.goto(f"{live_server.url}/ask/")
        title = "Xin hỏi thủ tục cấp lại sổ đỏ bị mất"
        page.fill("#id_title", title)
        page.fill("#id_body", "Gia đình tôi làm mất sổ đỏ, xin hỏi cần giấy tờ gì để cấp lại?")
        page.wait_for_timeout(1200)
        assert page.locator("#routing-result").inner_text() == ""
        assert page.input_value("#id_title") == title
        page.select_option("#id_agency", str(agencies["land"].pk))
        page.select_option("#id_topic", str(topics["land"].pk))
        page.fill("#id_name", "Lê Văn Hỏi")
        page.fill("#id_email", "le.van.hoi@example.vn")
        page.click("#ask-form button[type=submit]")
        page.wait_for_url("**/ask/sent/**")
    finally:
        page.context.close()
    from qa.models import Question

    assert Question.objects.filter(title=title, agency=agencies["land"]).exists()


def test_without_javascript_the_suggest_button_shows_the_list_and_keeps_the_text(client, history):
    agencies, _topics = history
    data = {"title": "xin hỏi thủ tục cấp lại sổ đỏ bị mất", "body": "Gia đình tôi làm mất sổ đỏ", "name": "Lê Văn Hỏi"}
    response = client.post("/ask/", {**data, "suggest": "Gợi ý"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sở Nông nghiệp và Môi trường" in page.split('id="routing-result"')[1].split("</div>")[0]
    assert 'value="xin hỏi thủ tục cấp lại sổ đỏ bị mất"' in page and "Gia đình tôi làm mất sổ đỏ" in page
    assert f'<option value="{agencies["land"].pk}" selected>' in page
    from qa.models import Question

    assert not Question.objects.filter(title=data["title"]).exists()


def test_without_javascript_enter_sends_and_the_suggest_button_suggests(browser, live_server, history):
    """Enter in a field presses the form's first submit button: the hidden default one, which sends; the
    visible "Suggest an agency" button still asks for a suggestion and keeps what was typed."""
    agencies, topics = history
    page = new_page(browser, live_server.url, java_script_enabled=False, **PHONE_360)
    title = "Xin hỏi thủ tục cấp lại sổ đỏ bị mất"
    try:
        page.goto(f"{live_server.url}/ask/")
        page.fill("#id_title", title)
        page.fill("#id_body", "Gia đình tôi làm mất sổ đỏ, xin hỏi cần giấy tờ gì để cấp lại?")
        page.click("input[name=suggest]")
        page.wait_for_load_state()
        assert "Sở Nông nghiệp và Môi trường" in page.inner_text("#routing-result")
        assert page.input_value("#id_title") == title
        page.select_option("#id_agency", str(agencies["land"].pk))
        page.select_option("#id_topic", str(topics["land"].pk))
        page.check("#id_asker_type_0")
        page.fill("#id_name", "Lê Văn Hỏi")
        page.fill("#id_email", "le.van.hoi@example.vn")
        page.press("#id_email", "Enter")
        page.wait_for_url("**/ask/sent/**")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        page.context.close()
    from qa.models import Question

    assert Question.objects.filter(title=title, agency=agencies["land"]).exists()
