"""E-mail backends for delivery tests: one that fails on demand, one that is slow."""

import smtplib
import threading
import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

_lock = threading.Lock()
state = {"fail_next": 0, "delay": 0.0, "sent": []}


def reset(*, fail_next: int = 0, delay: float = 0.0) -> None:
    with _lock:
        state.update(fail_next=fail_next, delay=delay, sent=[])


class FlakyBackend(BaseEmailBackend):
    """Raises an SMTP error for the next `fail_next` messages, then delivers to mail.outbox."""

    def send_messages(self, messages):
        with _lock:
            failing = state["fail_next"] > 0
            if failing:
                state["fail_next"] -= 1
        if failing:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if state["delay"]:
            time.sleep(state["delay"])
        with _lock:
            state["sent"].extend(messages)
        mail.outbox.extend(messages)
        return len(messages)
