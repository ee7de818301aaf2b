"""Open data: the dataset holds every published question, and none of any asker's personal data."""

import csv
import io
import json

import pytest
from django.urls import reverse

from qa.models import AskerContact, AskerType, Question
from qa.models import QuestionStatus as S
from stats import aggregation, opendata
from tests.factories import AskerContactFactory
from tests.qa.staff_fixtures import question_in
from tests.stats.timelines import build_world

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_files_have_the_published_archive_and_no_personal_data(client, media):
    world = build_world(seed=5, n=30)
    aggregation.rebuild_all()
    org = question_in(
        S.PUBLISHED,
        asker_type=AskerType.ORGANISATION,
        contact=None,
        title="Công ty Bí Mật hỏi về thuế",
        public_title="Doanh nghiệp hỏi về thuế",
    )
    AskerContactFactory(
        question=org,
        name="Giám đốc Riêng Tư",
        organisation_name="Công ty TNHH Bí Mật",
        tax_code="0201234567",
        address="Số 9 ngõ Kín, Hải Phòng",
    )
    hidden = question_in(S.ANSWERED, title="Câu hỏi chưa công khai về đất", public_title="Không được lộ")
    rows = opendata.build_open_data()
    published = Question.objects.filter(status=S.PUBLISHED)
    assert rows == published.count() > 5
    raw_csv = (media / "opendata" / "hoi-dap.csv").read_bytes()
    raw_jsonl = (media / "opendata" / "hoi-dap.jsonl").read_text(encoding="utf-8")
    assert raw_csv.startswith(b"\xef\xbb\xbf")
    text = raw_csv.decode("utf-8-sig") + raw_jsonl
    secrets = set()
    for contact in AskerContact.objects.all():
        secrets.update(
            v
            for v in (
                contact.name,
                contact.email,
                contact.phone,
                contact.address,
                contact.organisation_name,
                contact.tax_code,
            )
            if v
        )
    secrets.update({hidden.title, hidden.public_title, hidden.reference, org.title})
    assert len(secrets) > 10
    for secret in secrets:
        assert secret not in text, secret
    records = [json.loads(line) for line in raw_jsonl.splitlines()]
    assert {r["reference"] for r in records} == set(published.values_list("reference", flat=True))
    table = list(csv.DictReader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    assert [r["reference"] for r in table] == [r["reference"] for r in records]
    # Working days taken are the statistics' own figures for the world's questions.
    durations = sorted(
        d
        for r in records
        if r["reference"] in {q.reference for q in world.questions.values()}
        if (d := r["working_days_taken"]) is not None
    )
    assert durations and all(d >= 0 for d in durations)
    page = client.get(reverse("stats:open_data")).content.decode()
    assert "CC BY 4.0" in page and "working_days_taken" in page
    download = client.get(reverse("stats:open_data_file", args=["csv"]))
    assert b"".join(download.streaming_content) == raw_csv


def test_missing_files_are_a_404_and_the_page_says_so(client, media):
    assert client.get(reverse("stats:open_data_file", args=["csv"])).status_code == 404
    assert client.get(reverse("stats:open_data_file", args=["exe"])).status_code == 404
    assert client.get(reverse("stats:open_data")).status_code == 200
