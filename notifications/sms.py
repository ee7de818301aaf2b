"""SMS: rendering a notification into a short text and handing it to a backend.

The body of kind "<app>.<name>" comes from sms/<app>/<name>.txt (or
sms/notifications/<app>/<name>.txt), rendered in the recipient's language with the
row's JSON context, whitespace collapsed to single spaces. Vietnamese brandname
gateways bill a Unicode message as several, so SMS_FOLD_DIACRITICS (on by default)
writes "Cau hoi da duoc tra loi" instead of "Câu hỏi đã được trả lời".

Backends (SMS_BACKEND, a dotted path):
- ConsoleSmsBackend: prints the message readably (the embedded run);
- MemorySmsBackend: keeps messages in `outbox` (tests of other apps, like mail.outbox);
- HttpGatewaySmsBackend: POSTs to SMS_GATEWAY_URL as configured by environment.

A backend raises SmsTemporaryError (gateway 5xx/429, timeouts, connection refused:
retried with back-off) or SmsPermanentError (other 4xx, a refused number: failed at once).

One-time codes never sit in the outbox in clear: a caller puts an `otp_nonce` in the
context and the code is derived from it with the secret key only while rendering
(see otp_code), so a copy of the database alone does not reveal a valid code.
"""

import base64
import hashlib
import hmac
import json
import logging
import string
import sys
import threading
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import select_template
from django.utils import translation
from django.utils.module_loading import import_string

from .emails import language_of
from .kinds import spec_for
from .models import Notification

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """A message the backend could not hand over."""


class SmsTemporaryError(SmsError):
    """The gateway may take it later (5xx, 429, timeout, unreachable)."""


class SmsPermanentError(SmsError):
    """Retrying will not help (number refused, bad request, no number, no template)."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # +84…
    text: str
    # Stable per outbox row: a gateway that de-duplicates drops a copy sent again after a crash.
    request_id: str


def otp_code(nonce: str, digits: int = 6) -> str:
    """The one-time code a nonce stands for: HMAC of the nonce with the secret key, as `digits` digits."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"notifications.otp:{nonce}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(mac[:8], "big") % 10**digits).zfill(digits)


_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def fold_diacritics(text: str) -> str:
    """Vietnamese without accents (GSM-7 friendly): "Đã trả lời" → "Da tra loi"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def template_names(kind: str) -> list[str]:
    spec = spec_for(kind)
    return [f"sms/{spec.app}/{spec.name}.txt", f"sms/notifications/{spec.app}/{spec.name}.txt"]


def render_sms_text(notification: Notification) -> str:
    """The SMS body of a row, in its recipient's language. Raises TemplateDoesNotExist."""
    language = language_of(notification.recipient.language if notification.recipient_id else notification.language)
    context = dict(notification.context or {})
    nonce = context.pop("otp_nonce", None)
    if nonce:
        context["code"] = otp_code(str(nonce))
    context.update({"PORTAL_NAME": settings.PORTAL_NAME, "SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language})
    with translation.override(language):
        text = " ".join(select_template(template_names(notification.kind)).render(context).split())
    if settings.SMS_FOLD_DIACRITICS:
        text = fold_diacritics(text)
    limit = settings.SMS_MAX_LENGTH
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def build_sms(notification: Notification) -> SmsMessage:
    number = notification.address
    if not number:
        raise SmsPermanentError(f"Notification {notification.pk} has no phone number.")
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:20]
    return SmsMessage(to=number, text=render_sms_text(notification), request_id=f"n{notification.pk}-{digest}")


def masked(number: str) -> str:
    """A number fit for logs: +84912***678."""
    return number[:-6] + "***" + number[-3:] if len(number) > 8 else "***"


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(message: SmsMessage) -> None:
    get_backend().send(message)


class ConsoleSmsBackend:
    """Prints each message for the embedded run, so a developer can read the code and follow the link."""

    lock = threading.Lock()

    def send(self, message: SmsMessage) -> None:
        with self.lock:
            stream = sys.stdout
            stream.write(f"--- SMS to {message.to} from {settings.SMS_SENDER} ---\n{message.text}\n---\n")
            stream.flush()


class MemorySmsBackend:
    """Keeps messages in a list (tests read `MemorySmsBackend.outbox`)."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        type(self).outbox.append(message)


def _phone_format(number: str) -> str:
    """The number as the gateway wants it: "+84912345678", "84912345678" or "0912345678"."""
    style = settings.SMS_GATEWAY_PHONE_FORMAT
    national = number.removeprefix("+84")
    if style == "0":
        return "0" + national
    if style == "84":
        return "84" + national
    return number


def _fill(value, variables: dict[str, str]):
    """Put the variables into every string of the JSON body template ($phone, $message…)."""
    if isinstance(value, str):
        return string.Template(value).safe_substitute(variables)
    if isinstance(value, list):
        return [_fill(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, variables) for key, item in value.items()}
    return value


class HttpGatewaySmsBackend:
    """A brandname gateway over HTTPS: one JSON POST per message, as configured by environment.

    SMS_GATEWAY_URL: the endpoint. SMS_GATEWAY_USERNAME / SMS_GATEWAY_PASSWORD: HTTP basic
    auth if set (also available in the body as $username / $password, as some gateways want).
    SMS_GATEWAY_TOKEN: sent as "Authorization: Bearer …" when set. SMS_SENDER: the
    brandname ($brandname). SMS_GATEWAY_BODY: the JSON body with $phone, $message,
    $brandname, $request_id, $username, $password. SMS_GATEWAY_PHONE_FORMAT: "+84", "84"
    or "0". SMS_GATEWAY_SUCCESS_FIELD / SMS_GATEWAY_SUCCESS_VALUES: gateways that answer
    200 with an error code in the body name the field and its success values.
    SMS_GATEWAY_TIMEOUT: seconds for connect and read.
    """

    def send(self, message: SmsMessage) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SmsPermanentError("SMS_GATEWAY_URL is not set.")
        username, password = settings.SMS_GATEWAY_USERNAME, settings.SMS_GATEWAY_PASSWORD
        variables = {
            "phone": _phone_format(message.to),
            "message": message.text,
            "brandname": settings.SMS_SENDER,
            "request_id": message.request_id,
            "username": username,
            "password": password,
        }
        body = json.dumps(_fill(json.loads(settings.SMS_GATEWAY_BODY), variables), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if username or password:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (configured URL)
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                reply = response.read(4096)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            if exc.code >= 500 or exc.code in (408, 429):
                raise SmsTemporaryError(f"Gateway answered {exc.code}: {detail}") from exc
            raise SmsPermanentError(f"Gateway answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise SmsTemporaryError(f"Gateway unreachable: {exc}") from exc
        self._check_reply(reply)

    def _check_reply(self, reply: bytes) -> None:
        field = settings.SMS_GATEWAY_SUCCESS_FIELD
        if not field:
            return
        try:
            value = json.loads(reply or b"{}").get(field)
        except (ValueError, AttributeError) as exc:
            raise SmsTemporaryError(f"Gateway reply is not JSON: {reply[:200]!r}") from exc
        if str(value) not in settings.SMS_GATEWAY_SUCCESS_VALUES:
            raise SmsPermanentError(
                f"Gateway refused the message ({field}={value}): {reply[:300].decode(errors='replace')}"
            )
