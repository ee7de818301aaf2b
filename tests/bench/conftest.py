"""Fixtures of the benchmark's tests: the dialogue fixtures, for the group fan-out design kept under bench/."""

from tests.dialogues.conftest import agency, hub_cleanup, live_session, moderator  # noqa: F401
