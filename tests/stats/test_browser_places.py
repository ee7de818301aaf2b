"""The pages with the asker's commune or ward in Chromium at 360 px: the ask form's select and the statistics by
place fit a phone and pass axe (no serious or critical violation); asking with a place works without JavaScript."""

import datetime

import pytest
from django.utils import timezone

from qa.models import Question
from tests.browser import new_page
from tests.factories import AdministrativeUnitFactory, AgencyFactory, QuestionFactory, TopicFactory
from tests.reach_browser import axe_serious

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_ask_form_and_statistics_by_place_on_a_phone(browser, live_server):
    le_chan = AdministrativeUnitFactory(code="P-LC", name="Phường Lê Chân")
    AdministrativeUnitFactory(code="D-BLV", name="Đặc khu Bạch Long Vĩ", unit_type="dac_khu")
    AdministrativeUnitFactory(code="X-HD", name="Xã An Phú", province="Thành phố Hà Nội")
    agency, topic = AgencyFactory(name="Sở Xây dựng"), TopicFactory(name="Xây dựng")
    received = timezone.now() - datetime.timedelta(days=1)
    for _i in range(6):
        QuestionFactory(agency=agency, topic=topic, place=le_chan, received_at=received)

    page = new_page(browser, live_server.url, java_script_enabled=False, **PHONE_360)
    page.goto(f"{live_server.url}/ask/")
    assert page.locator("select[name=place] optgroup").count() == 2
    assert _fits(page)
    page.fill("#id_title", "Hỏi về giấy phép xây dựng nhà ở riêng lẻ")
    page.fill("#id_body", "Tôi muốn sửa nhà ở phường Lê Chân thì có cần xin giấy phép xây dựng không?")
    page.select_option("#id_agency", str(agency.pk))
    page.select_option("#id_topic", str(topic.pk))
    page.fill("#id_name", "Lê Văn Hỏi")
    page.fill("#id_email", "hoi@example.vn")
    page.select_option("#id_place", "P-LC")
    page.locator("#ask-form button[type=submit]").click()
    page.wait_for_load_state()
    assert Question.objects.get(contact__email="hoi@example.vn").place == le_chan
    page.context.close()

    page = new_page(browser, live_server.url, **PHONE_360)
    page.goto(f"{live_server.url}/ask/")
    assert axe_serious(page) == []
    page.goto(f"{live_server.url}/statistics/")
    assert page.locator("#places-caption").count() == 1
    assert _fits(page)
    assert axe_serious(page) == []
    page.context.close()
