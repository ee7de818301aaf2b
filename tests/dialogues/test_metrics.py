"""Live metrics: open sockets, events published and fanned out, frames sent; counted per event, not per socket."""

import pytest
from channels.db import database_sync_to_async
from prometheus_client import REGISTRY

from dialogues import services

from .wsutil import connect, hello, receive

pytestmark = [pytest.mark.django_db(transaction=True)]

announce = database_sync_to_async(services.announcement_post)


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def in_process(settings):
    settings.DIALOGUES_HUB_REDIS_URL = ""
    settings.REDIS_URL = ""
    # No coalesced counts frame or heartbeat during the test: the frames counted are the event's alone (three
    # watchers joining change the viewer count, and a counts tick landing between the two readings added 3).
    settings.DIALOGUES_COUNTS_INTERVAL = 3600
    settings.DIALOGUES_HEARTBEAT_SECONDS = 3600


async def test_sockets_events_and_frames_are_counted(in_process, live_session, moderator, hub_cleanup):
    sockets_before = _value("hoidap_live_sockets")
    published_before = _value("hoidap_live_events_published_total", scope="public")
    fanned_before = _value("hoidap_live_events_fanned_out_total")
    frames_before = _value("hoidap_live_frames_sent_total")

    watchers = [await connect(live_session.pk, browser=f"b{n}") for n in range(3)]
    for watcher in watchers:
        await hello(watcher)
    assert _value("hoidap_live_sockets") == sockets_before + 3

    await announce(session_id=live_session.pk, actor=moderator, text="Phiên đối thoại bắt đầu")
    for watcher in watchers:
        assert (await receive(watcher))["type"] == "announcement"
    assert _value("hoidap_live_events_published_total", scope="public") == published_before + 1
    # One event, three sockets: fanned out once, three frames written.
    assert _value("hoidap_live_events_fanned_out_total") == fanned_before + 1
    assert _value("hoidap_live_frames_sent_total") == frames_before + 3

    for watcher in watchers:
        await watcher.disconnect()
    assert _value("hoidap_live_sockets") == sockets_before
