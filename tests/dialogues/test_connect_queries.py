"""Opening a socket: guests of a session this process already serves cost no database query.

A reconnect storm is thousands of guests opening sockets within seconds; with a
role lookup per socket they queued one query each (bench/: 3–5 s to resume).
"""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from dialogues import consumers

from .wsutil import connect, hello, make_headers, session_cookie

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_hub")]


@pytest.fixture
def role_lookups(monkeypatch):
    calls: list[int] = []
    original = consumers._role

    async def counting(session_id, user):
        calls.append(session_id)
        return await original(session_id, user)

    monkeypatch.setattr(consumers, "_role", counting)
    return calls


@pytest.fixture
def moderator_cookie(moderator):
    return session_cookie(moderator)


async def test_guests_of_a_served_session_are_watchers_without_a_query(live_session, role_lookups, hub_cleanup):
    first = await connect(live_session.pk, browser="guest-0")
    await hello(first)  # the process now serves the session (its room started)
    assert role_lookups == [live_session.pk]

    guests = [await connect(live_session.pk, browser=f"guest-{i}") for i in range(1, 6)]
    for guest in guests:
        frames = await hello(guest)
        assert frames[0]["type"] == "snapshot" and frames[-1]["data"]["role"] == "watcher"
    assert role_lookups == [live_session.pk]
    for communicator in [first, *guests]:
        await communicator.disconnect()


async def test_logged_in_users_still_get_their_role_from_the_database(
    live_session, moderator_cookie, role_lookups, hub_cleanup
):
    guest = await connect(live_session.pk, browser="guest-0")
    await hello(guest)
    mod = await connect(live_session.pk, session=moderator_cookie)
    frames = await hello(mod)
    assert frames[-1]["data"]["role"] == "moderator"
    assert role_lookups == [live_session.pk, live_session.pk]
    await guest.disconnect()
    await mod.disconnect()


async def test_a_guest_of_an_unknown_session_is_still_refused(live_session, role_lookups, hub_cleanup):
    guest = await connect(live_session.pk, browser="guest-0")
    await hello(guest)
    unknown = WebsocketCommunicator(application, "/ws/dialogues/999999/", headers=make_headers(browser="x"))
    connected, code = await unknown.connect(timeout=15)
    assert not connected and code == consumers.CLOSE_NOT_FOUND
    await guest.disconnect()
