"""Fixtures of the dialogues tests: people, sessions, and the hub pointed at a private Redis prefix."""

import uuid

import pytest

from accounts.models import Membership
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

from .factories import LiveSessionFactory

HUB_REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def agency():
    return AgencyFactory(code="HP-STNMT", name="Sở Tài nguyên và Môi trường", slug="so-tnmt")


@pytest.fixture
def moderator(agency):
    return MembershipFactory(agency=agency, role=Membership.Role.MODERATOR, user=UserFactory(full_name="Biên Tập")).user


@pytest.fixture
def other_moderator():
    """A moderator of another agency: no rights in this agency's sessions."""
    return MembershipFactory(role=Membership.Role.MODERATOR).user


@pytest.fixture
def watcher():
    return UserFactory(full_name="Người Xem")


@pytest.fixture
def live_session(agency):
    return LiveSessionFactory(agency=agency)


@pytest.fixture
def redis_hub(settings):
    """The hub on the real Redis, under a prefix no other test run uses."""
    settings.DIALOGUES_HUB_REDIS_URL = HUB_REDIS_URL
    settings.DIALOGUES_HUB_PREFIX = f"test-dlg-{uuid.uuid4().hex[:10]}"
    settings.DIALOGUES_COUNTS_INTERVAL = 0.1
    return settings.DIALOGUES_HUB_PREFIX


@pytest.fixture
async def hub_cleanup():
    """Close the hub's rooms and Redis connections, and the worker thread's database connection, after a test.

    The connection matters: a test database still in use cannot be dropped at the end of the run.
    """
    yield
    from channels.db import database_sync_to_async
    from django.db import connections

    from dialogues.hub import close_hub

    await close_hub()
    await database_sync_to_async(connections.close_all)()
    # And the lanes of the sockets' actions (dialogues.consumers), which have threads of their own.
    import asyncio

    from dialogues.consumers import PARTICIPANT_LANE, STAFF_LANE

    loop = asyncio.get_running_loop()
    for lane in (STAFF_LANE, PARTICIPANT_LANE):
        for _ in range(lane._max_workers):
            await loop.run_in_executor(lane, connections.close_all)
