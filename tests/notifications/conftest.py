import pytest

from tests.notifications import backends


@pytest.fixture
def flaky_mail(settings):
    """Route e-mail through FlakyBackend; configure with backends.reset(fail_next=…, delay=…)."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.reset()
    yield backends
    backends.reset()


@pytest.fixture
def sms_gateway(settings):
    """A fake brandname gateway on a free local port, with the HTTP backend pointed at it."""
    from tests.notifications.fake_gateway import FakeGateway

    with FakeGateway() as gateway:
        settings.SMS_BACKEND = "notifications.sms.HttpGatewaySmsBackend"
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_USERNAME = "hoidap"
        settings.SMS_GATEWAY_PASSWORD = "secret-pass"
        settings.SMS_GATEWAY_TIMEOUT = 2
        settings.SMS_SENDER = "HAIPHONG"
        yield gateway


@pytest.fixture
def sms_outbox(settings):
    """The in-memory SMS backend, emptied before and after."""
    from notifications.sms import MemorySmsBackend

    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()
