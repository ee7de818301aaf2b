"""The router's own rules (config/db_router.py); the real replica is in test_replica.py (slow)."""

import logging

import pytest
from django.test import RequestFactory

from config import db_router
from config.db_router import REPLICA, ReplicaRouter, ReplicaState, ReplicaStatus, reads_primary


def test_reads_go_to_the_replica_only_inside_an_archive_view_and_outside_transactions(django_db_blocker):
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"
    token = db_router._archive_read.set(True)
    try:
        assert router.db_for_read(None) == REPLICA
        from django.db import connections

        connections["default"].in_atomic_block = True  # a transaction lives on the primary
        try:
            assert router.db_for_read(None) == "default"
        finally:
            connections["default"].in_atomic_block = False
    finally:
        db_router._archive_read.reset(token)
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate(REPLICA, "qa") is False and router.allow_migrate("default", "qa") is True


def test_signed_in_users_and_browsers_that_just_wrote_read_the_primary():
    factory = RequestFactory()
    anonymous = factory.get("/questions/")
    anonymous.user = type("Anonymous", (), {"is_authenticated": False})()
    assert reads_primary(anonymous) is False
    wrote = factory.get("/questions/", HTTP_COOKIE=f"{db_router.STICKY_COOKIE}=1")
    wrote.user = anonymous.user
    assert reads_primary(wrote) is True
    signed_in = factory.get("/questions/")
    signed_in.user = type("User", (), {"is_authenticated": True})()
    assert reads_primary(signed_in) is True


def test_the_replica_is_probed_once_per_interval_and_each_change_logged_once(monkeypatch, settings, caplog):
    settings.DATABASE_REPLICA_CHECK_INTERVAL = 3600
    answers = [
        ReplicaStatus(False, "unreachable (OperationalError)"),
        ReplicaStatus(False, "unreachable (OperationalError)"),
        ReplicaStatus(True, "lag 0.0 s", lag=0.0),
    ]
    probes = []
    monkeypatch.setattr(db_router, "probe_replica", lambda: probes.append(1) or answers[len(probes) - 1])
    monkeypatch.setattr(db_router, "_close", lambda alias: None)
    state = ReplicaState()
    with caplog.at_level(logging.INFO, logger="config.db_router"):
        for _ in range(50):
            assert state.status().usable is False
        assert len(probes) == 1  # within the interval: the last answer
        state.mark_down(OSError("gone"))  # due again at once
        assert state.status().usable is False
        state.mark_down(OSError("gone"))
        assert state.status().usable is True
    assert len(probes) == 3
    lines = [r.getMessage() for r in caplog.records]
    assert sum("not used" in line for line in lines) == 1, lines  # unreachable, failed, unreachable: one state
    assert sum("in use" in line for line in lines) == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (
            ReplicaStatus(False, "DATABASE_REPLICA_URL points at a server that is not in recovery", True),
            "misconfigured",
        ),
        (ReplicaStatus(False, "replica runs PostgreSQL 16, the primary 15", True), "misconfigured"),
    ],
)
def test_misconfiguration_is_logged_as_an_error(monkeypatch, caplog, status, words):
    monkeypatch.setattr(db_router, "probe_replica", lambda: status)
    with caplog.at_level(logging.INFO, logger="config.db_router"):
        ReplicaState().status()
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and words in record.getMessage()
