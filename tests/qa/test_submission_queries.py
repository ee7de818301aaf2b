"""What one question submission through the API costs the database, and how short its reference lock is.

The reference number's row lock is held from the sequence upsert to the commit, and
every submission to the same agency waits for it: after the upsert only the rows
themselves may be written (no reads back, no second statement on the sequence).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Notification
from qa.models import Question
from tests.factories import AgencyFactory, TopicFactory

pytestmark = [pytest.mark.django_db]


def _payload(agency, topic, email: str) -> dict:
    return {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về thủ tục đăng ký thường trú",
        "body": "Xin hỏi thủ tục đăng ký thường trú cho con cần những giấy tờ gì?",
        "asker_type": "individual",
        "name": "Nguyễn Thị Lan",
        "email": email,
        "phone": "0912345678",
        "consent_to_publish": True,
    }


def _statements(captured) -> list[str]:
    """'VERB table' of each statement; savepoints are the test's own transaction around the service's."""
    out = []
    for query in captured:
        sql = query["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE")):
            continue
        table = re.search(r'(?:FROM|INTO|UPDATE|JOIN) "(\w+)"', sql)
        out.append(f"{sql.split(None, 1)[0]} {table.group(1) if table else '?'}")
    return out


def test_one_submission_is_five_statements_and_no_read_back(django_capture_on_commit_callbacks):
    agency, topic = AgencyFactory(code="HP-X"), TopicFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    assert client.post("/api/v1/questions/", _payload(agency, topic, "a@example.vn"), format="json").status_code == 201

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/api/v1/questions/", _payload(agency, topic, "b@example.vn"), format="json")

    assert response.status_code == 201, response.content
    statements = _statements(queries.captured_queries)
    assert statements == [
        "SELECT accounts_agency",  # with the topic, in one query
        "INSERT qa_referencesequence",
        "INSERT qa_question",
        "INSERT qa_askercontact",
        "INSERT notifications_notification",
    ], statements
    assert len(callbacks) == 1  # the e-mail task, queued after commit
    question = Question.objects.get(reference=response.json()["reference"])
    assert question.reference.endswith("-000002")
    note = Notification.objects.get(kind="qa.confirm_email", email="b@example.vn")
    assert note.context["question"]["reference"] == question.reference


def test_the_agency_and_topic_come_back_as_model_objects_or_none():
    from qa.services.submission import submission_targets

    agency, topic = AgencyFactory(code="HP-T", is_active=False), TopicFactory(name="Đất đai")
    with CaptureQueriesContext(connection) as queries:
        found_agency, found_topic = submission_targets(agency.pk, topic.pk)
    assert len(queries.captured_queries) == 1
    assert (found_agency, found_topic) == (agency, topic)
    # Every field as the ORM would load it; whether they may be asked is the service's business.
    assert found_agency.is_active is False and found_agency.code == "HP-T"
    for model, found in ((type(agency), found_agency), (type(topic), found_topic)):
        loaded = model.objects.get(pk=found.pk)
        assert [getattr(found, f.attname) for f in model._meta.concrete_fields] == [
            getattr(loaded, f.attname) for f in model._meta.concrete_fields
        ]
    assert found_topic.name == "Đất đai" and found_topic.is_active is True
    assert not found_agency._state.adding and found_agency._state.db == "default"

    assert submission_targets(agency.pk + 1000, topic.pk) == (None, topic)
    assert submission_targets(agency.pk, None) == (agency, None)
    assert submission_targets(None, None) == (None, None)


def test_a_repeated_event_reads_the_existing_row_and_queues_nothing(django_capture_on_commit_callbacks):
    """The outbox insert skips a known key; notify() then returns the row as it is (here: already sent)."""
    from notifications.services import Recipient, notify

    with django_capture_on_commit_callbacks() as first_callbacks:
        (first,) = notify(
            kind="qa.received", recipients=[Recipient(email="a@example.vn")], context={}, idempotency_key="k1"
        )
    assert first.pk is not None and len(first_callbacks) == 1
    Notification.objects.filter(pk=first.pk).update(status="sent")

    with django_capture_on_commit_callbacks() as callbacks:
        (again,) = notify(
            kind="qa.received", recipients=[Recipient(email="a@example.vn")], context={}, idempotency_key="k1"
        )

    assert again.pk == first.pk and again.status == "sent"
    assert callbacks == []
    assert Notification.objects.filter(idempotency_key__startswith="k1").count() == 1


def test_new_outbox_rows_come_back_with_their_ids_in_one_statement():
    from notifications.services import Recipient, notify

    recipients = [Recipient(email=f"n{i}@example.vn") for i in range(3)]
    with CaptureQueriesContext(connection) as queries:
        rows = notify(kind="qa.received", recipients=recipients, context={"x": 1}, idempotency_key="k2")
    assert len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) == 1
    assert sorted(row.pk for row in rows) == sorted(Notification.objects.values_list("pk", flat=True))
    assert {row.email for row in Notification.objects.all()} == {f"n{i}@example.vn" for i in range(3)}
    assert all(row.context == {"x": 1} and row.status == "pending" for row in Notification.objects.all())
