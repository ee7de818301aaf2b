"""Seed a private database for the PostgreSQL outage test: `python -m tests.config.outage_seed` prints ids as JSON.

Run in a subprocess with DATABASE_URL pointing at the test's own cluster (the
test process itself is connected to pytest's database, not to that one).
"""

import json

import django


def main() -> dict:
    django.setup()
    from tests.config.outage import production_password
    from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory, UserFactory

    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT")
    topic = TopicFactory(name="Đất đai")
    question = PublishedQuestionFactory(agency=agency, topic=topic)
    user = UserFactory(email="dan@example.vn")
    production_password(user, "matkhau-an-toan-123")
    return {
        "agency": agency.pk,
        "topic": topic.pk,
        "reference": question.reference,
        "user_email": user.email,
        "password": "matkhau-an-toan-123",
    }


if __name__ == "__main__":
    print(json.dumps(main()))
