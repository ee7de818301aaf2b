import pytest

from tests.notifications import backends


@pytest.fixture
def flaky_mail(settings):
    """Route e-mail through FlakyBackend; configure with backends.reset(fail_next=…, delay=…)."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.reset()
    yield backends
    backends.reset()
