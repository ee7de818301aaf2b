"""Schemathesis against the whole API, in process: no input gives a 500, and every response keeps the schema's promises.

The schema is the project's own (`/api/schema/`), every operation is run with a bounded, derandomised set of
generated requests, anonymously and with a moderator's token, against Django's WSGI handler (production is ASGI;
the request path through views, serializers and the exception handler is the same). Checks: no server error,
the status code is documented, the content type is the documented one, the body matches the response schema.
Seed rows (agencies, topics, published and queued questions, a live session) give the generated ids something
to hit; every state change stays inside the test's transaction.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Membership
from dialogues.models import LiveQuestionStatus, SessionStatus
from qa.models import QuestionStatus
from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
from tests.factories import AgencyFactory, MembershipFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import question_in

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Small enough that the module runs in about a minute on two cores, large enough to reach every parameter.
EXAMPLES = 6
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def seeded(db):
    """A few rows of each kind, so ids and references in generated requests sometimes exist."""
    agency = AgencyFactory(code="STNMT")
    other = AgencyFactory(code="SGTVT")
    topic = TopicFactory()
    TopicFactory()
    staff = UserFactory()
    MembershipFactory(user=staff, agency=agency, role=Membership.Role.MODERATOR)
    for status in (QuestionStatus.SUBMITTED, QuestionStatus.ACCEPTED, QuestionStatus.PUBLISHED):
        question_in(status, agency, topic=topic)
    question_in(QuestionStatus.PUBLISHED, other, topic=topic)
    session = LiveSessionFactory(agency=agency, status=SessionStatus.LIVE)
    LiveQuestionFactory(session=session, status=LiveQuestionStatus.APPROVED)
    LiveQuestionFactory(session=session, status=LiveQuestionStatus.PENDING)
    # As Django's test client does: the handler must not close the test's connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"staff": staff, "token": Token.objects.create(user=staff).key, "session": session}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schema():
    """The document `/api/schema/` serves, built at collection (no database needed) so each operation is a test."""
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


@schema.parametrize()
@FUZZ
def test_anonymous(case, seeded):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_with_moderator_token(case, seeded):
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {seeded['token']}"})
