"""The statistics page in Chromium: fits a 360 px phone, and has no obvious accessibility faults."""

import datetime

import pytest
import time_machine

from stats import aggregation
from tests.browser import new_page
from tests.stats.timelines import VN, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Every control labelled, every image named, every table captioned, headings in order, no duplicate ids.
A11Y_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) problems.push('unlabelled ' + el.name);
  }
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    if (!ids.length || ids.some(id => !document.getElementById(id))) problems.push('unnamed chart ' + svg.id);
  }
  for (const table of document.querySelectorAll('table')) {
    if (!table.querySelector('caption')) problems.push('table without caption');
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate ids');
  let last = 0;
  for (const h of document.querySelectorAll('main h1, main h2, main h3')) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) problems.push('heading jumps to ' + h.tagName);
    last = level;
  }
  for (const a of document.querySelectorAll('a')) { if (!a.textContent.trim()) problems.push('empty link'); }
  return problems;
}"""


def test_statistics_page_on_a_phone(browser, live_server):
    build_world(seed=5, n=24)
    aggregation.rebuild_all()
    page = new_page(browser, live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True)
    with time_machine.travel(datetime.datetime(2027, 4, 2, 9, tzinfo=VN)):
        _check(page, live_server)
    page.context.close()


def _check(page, live_server) -> None:
    page.goto(f"{live_server.url}/statistics/?start=2027-01-01&end=2027-03-31")
    assert page.locator("h1").inner_text() == "Thống kê"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(A11Y_PROBLEMS) == []
    # Sorting is plain links: no script needed.
    page.get_by_role("link", name="Số ngày làm việc (trung vị)").click()
    assert "sort=median_days" in page.url
