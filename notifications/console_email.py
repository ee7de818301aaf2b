"""The embedded run's e-mail backend: each message printed as a person would read it.

Django's console backend prints the raw MIME message: Vietnamese text comes out as quoted-printable
or base64 and links are cut across lines, so nobody can click the confirmation link in the terminal.
This one prints the decoded headers, the plain-text body and the links on lines of their own.
"""

import re
import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

_LINK = re.compile(r"https?://[^\s<>\"')]+")
_RULE = "─" * 72


def readable(message) -> str:
    """The message as text: From/To/Subject, the text body, then its links one per line."""
    body = message.body or ""
    lines = [
        _RULE,
        f"From:    {message.from_email}",
        f"To:      {', '.join(message.to)}",
        f"Subject: {message.subject}",
        "",
        body.rstrip(),
    ]
    links = list(dict.fromkeys(_LINK.findall(body)))
    if links:
        lines += ["", "Links:"] + [f"  {link}" for link in links]
    attachments = [getattr(item, "filename", None) or item[0] for item in message.attachments]
    if attachments:
        lines += ["", "Attached: " + ", ".join(str(name) for name in attachments)]
    lines.append(_RULE)
    return "\n".join(lines) + "\n"


class ReadableConsoleEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        with self._lock:
            for message in email_messages:
                self.stream.write(readable(message))
            self.stream.flush()
        return len(email_messages)
