"""Writes of the notifications app: the outbox (`notify`), delivery, sweep, digests, read marks, preferences.

How a message travels: a caller's service calls `notify(...)` inside its own
transaction; that writes one outbox row per recipient and channel and asks for
delivery tasks on commit (a rollback leaves neither rows nor tasks). A delivery
task claims its row with one conditional UPDATE (pending → sending), so two
workers given the same row send it once; it marks the row sent, or pending again
with a back-off, or failed after the last attempt. The sweep (Celery beat, every
minute) re-dispatches pending rows nobody picked up (broker down when they were
written) and reclaims rows left "sending" by a worker that died.
"""

import hashlib
import logging
import random
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import claimants
from .emails import NoAddress, build_email, language_of, render_title, target_url
from .kinds import spec_for
from .models import Channel, EmailOptOut, Notification, NotificationPreference, SmsNumber, Status
from .realtime import send_to_user, send_unread_count_on_commit
from .tokens import UnsubscribeTarget, read_unsubscribe_token

logger = logging.getLogger(__name__)

# Rows per INSERT statement (a fan-out to thousands of users stays under the databases' parameter limits).
_INSERT_BATCH = 500
# What a dispatch may cost a request when the broker is down: one quick retry, then the sweep takes over.
_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


@dataclass(frozen=True)
class Recipient:
    """Someone without an account (a guest asker): an address and/or a mobile number (+84…), and a language.

    An e-mail address gets the kind's e-mail; a phone number gets its SMS when the kind has the SMS channel.
    """

    email: str = ""
    language: str = ""
    phone: str = ""


def _key(base: str, channel: str, recipient_key: str) -> str:
    key = f"{base}:{channel}:{recipient_key}"
    if len(key) <= 255:
        return key
    # Keep the readable start for the admin, make the whole unique with a hash.
    return f"{key[:180]}…{hashlib.sha256(key.encode()).hexdigest()}"


def notify(
    *,
    kind: str,
    recipients: Iterable,
    context: dict,
    channels: Iterable[str] | None = None,
    idempotency_key: str | None = None,
) -> list[Notification]:
    """Record `kind` for each recipient and channel in the caller's transaction; deliver after commit.

    `recipients`: User objects and/or Recipient(email, language) for guests.
    `context`: plain JSON data (and ready-made absolute URLs) for the templates.
    `idempotency_key`: names the domain event; calling again with the same key adds
    nothing (one row per key, recipient and channel). Without it every call is new.
    Preferences and opt-outs are applied here; in-app rows only exist for users.
    Returns the rows (new or already there) for this event.
    """
    return _save_rows(
        _outbox_rows(
            kind=kind, recipients=recipients, context=context, channels=channels, idempotency_key=idempotency_key
        )
    )


def notify_each(*, kind: str, messages: Iterable[tuple[Iterable, dict, str]]) -> list[Notification]:
    """`notify` for many events of one kind at once, each (recipients, context, idempotency_key) with its own
    context: the same rows, preferences and idempotency, written in a few INSERT statements instead of one per
    event (a reorganisation tells thousands of askers, each about their own questions)."""
    rows: list[Notification] = []
    for recipients, context, idempotency_key in messages:
        rows += _outbox_rows(kind=kind, recipients=recipients, context=context, idempotency_key=idempotency_key)
    return _save_rows(rows)


def _outbox_rows(
    *,
    kind: str,
    recipients: Iterable,
    context: dict,
    channels: Iterable[str] | None = None,
    idempotency_key: str | None = None,
) -> list[Notification]:
    """The unsaved outbox rows of one event: per recipient and channel, after preferences and opt-outs."""
    spec = spec_for(kind)
    wanted = frozenset(channels) if channels is not None else spec.channels
    unknown = wanted - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channel(s): {sorted(unknown)}")
    base = idempotency_key or f"{kind}:{uuid.uuid4().hex}"
    users, guests, phones = _split_recipients(recipients)

    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users, kind=kind)} if users else {}
    opted_out: set[str] = set()
    if guests and not spec.transactional:
        opted_out = set(EmailOptOut.objects.filter(email__in=list(guests), kind=kind).values_list("email", flat=True))

    sms_numbers: dict[int, str] = {}
    if Channel.SMS in wanted and any(pref.sms_enabled for pref in prefs.values()):
        # Only users who chose SMS for this kind cost a query; their number must be confirmed.
        sms_numbers = dict(
            SmsNumber.objects.filter(
                user_id__in=[pk for pk, pref in prefs.items() if pref.sms_enabled], verified_at__isnull=False
            ).values_list("user_id", "phone")
        )

    now = timezone.now()
    rows: list[Notification] = []
    for user in users:
        pref = prefs.get(user.pk)
        if user.pk in sms_numbers:
            rows.append(
                Notification(
                    kind=kind,
                    channel=Channel.SMS,
                    recipient=user,
                    phone=sms_numbers[user.pk],
                    language=language_of(user.language),
                    context=context,
                    idempotency_key=_key(base, Channel.SMS, f"u{user.pk}"),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
        if Channel.EMAIL in wanted and (spec.transactional or pref is None or pref.email_enabled):
            held = bool(spec.digestible and pref is not None and pref.email_digest)
            rows.append(
                Notification(
                    kind=kind,
                    channel=Channel.EMAIL,
                    recipient=user,
                    language=language_of(user.language),
                    context=context,
                    status=Status.HELD if held else Status.PENDING,
                    idempotency_key=_key(base, Channel.EMAIL, f"u{user.pk}"),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
        if Channel.IN_APP in wanted and (pref is None or pref.in_app_enabled):
            rows.append(
                Notification(
                    kind=kind,
                    channel=Channel.IN_APP,
                    recipient=user,
                    language=language_of(user.language),
                    context=context,
                    idempotency_key=_key(base, Channel.IN_APP, f"u{user.pk}"),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if Channel.EMAIL in wanted:
        for email, language in guests.items():
            if email in opted_out:
                continue
            rows.append(
                Notification(
                    kind=kind,
                    channel=Channel.EMAIL,
                    email=email,
                    language=language_of(language),
                    context=context,
                    idempotency_key=_key(base, Channel.EMAIL, f"e{email}"),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if Channel.SMS in wanted:
        for phone, language in phones.items():
            rows.append(
                Notification(
                    kind=kind,
                    channel=Channel.SMS,
                    phone=phone,
                    language=language_of(language),
                    context=context,
                    idempotency_key=_key(base, Channel.SMS, f"p{phone}"),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    return rows


def _save_rows(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose key is new, read back the others, and ask for delivery of the pending ones on commit."""
    if not rows:
        return []
    inserted = _insert_new(rows)
    saved = [row for row in rows if row.idempotency_key in inserted]
    if len(saved) < len(rows):
        # A repeated event: its rows are already there, as they are now (perhaps sent): read those back.
        saved += Notification.objects.filter(
            idempotency_key__in=[row.idempotency_key for row in rows if row.idempotency_key not in inserted]
        )
    to_send = [(row.pk, row.channel) for row in saved if row.status == Status.PENDING]
    if to_send:
        transaction.on_commit(partial(dispatch, to_send))
    return saved


def queue_email(*, kind: str, user: User, context: dict, idempotency_key: str | None) -> None:
    """core.outbox's queue: one e-mail of `kind` to `user` (apps below this one, such as accounts, call it there)."""
    notify(kind=kind, recipients=[user], context=context, channels=[Channel.EMAIL], idempotency_key=idempotency_key)


def _insert_new(rows: list[Notification]) -> set[str]:
    """Insert the rows whose key is new, in one statement; set their ids; return their keys.

    INSERT … ON CONFLICT DO NOTHING RETURNING: a repeated key inserts nothing and does not
    abort the caller's transaction, and the new rows come back with their ids, so the usual
    case (all new) needs no second query to read them (bulk_create with ignore_conflicts
    returns no ids).
    """
    connection = connections[router.db_for_write(Notification)]
    quote = connection.ops.quote_name
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key and not f.generated]
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _INSERT_BATCH):
            batch = rows[start : start + _INSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {quote(Notification._meta.db_table)} "  # noqa: S608 (names from the model)
                f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row_sql] * len(batch))} "
                f"ON CONFLICT DO NOTHING RETURNING {quote(Notification._meta.pk.column)}, {quote('idempotency_key')}",
                [
                    field.get_db_prep_save(field.pre_save(row, add=True), connection)
                    for row in batch
                    for field in fields
                ],
            )
            ids.update((key, pk) for pk, key in cursor.fetchall())
    for row in rows:
        if row.idempotency_key in ids:
            row.pk = ids[row.idempotency_key]
            row._state.adding = False
            row._state.db = connection.alias
    return set(ids)


def _split_recipients(recipients: Iterable) -> tuple[list, dict[str, str], dict[str, str]]:
    """Users (active, each once), guests {address: language} and guest phones {number: language}, each once."""
    user_model = get_user_model()
    users: dict[int, object] = {}
    guests: dict[str, str] = {}
    phones: dict[str, str] = {}
    for recipient in recipients:
        if isinstance(recipient, user_model):
            if recipient.is_active:
                users.setdefault(recipient.pk, recipient)
        elif isinstance(recipient, Recipient):
            address = recipient.email.strip().lower()
            if address:
                guests.setdefault(address, recipient.language)
            number = recipient.phone.strip()
            if number:
                phones.setdefault(number, recipient.language)
        else:
            raise TypeError(f"A recipient is a User or a Recipient, not {type(recipient).__name__}.")
    return list(users.values()), guests, phones


def dispatch(rows: list[tuple[int, str]]) -> int:
    """Hand rows to the delivery tasks; returns how many were handed over.

    If the broker is unreachable, stop at once: the rows are safe in the
    database and the sweep sends them when it is back.
    """
    from kombu.exceptions import OperationalError

    from .tasks import push_in_app, send_email, send_sms

    tasks: dict[str, Any] = {Channel.EMAIL: send_email, Channel.SMS: send_sms}
    handed = 0
    for pk, channel in rows:
        task = tasks.get(channel, push_in_app)
        try:
            task.apply_async((pk,), retry=True, retry_policy=_PUBLISH_RETRY_POLICY)
        except (OperationalError, ConnectionError, OSError) as exc:
            logger.warning("Broker unavailable (%s); %d notification(s) left for the sweep.", exc, len(rows) - handed)
            break
        handed += 1
    return handed


# --- Delivery (called by the tasks) ----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery attempt; `retry_in` (seconds) asks the task to retry."""

    state: str  # "sent", "skipped" (not ours to send), "retry", "failed"
    retry_in: int | None = None


def _claim(notification_id: int, channel: str) -> Notification | None:
    """pending → sending in one conditional UPDATE: whoever changes the row owns this attempt."""
    lease = uuid.uuid4()
    claimed = Notification.objects.filter(pk=notification_id, channel=channel, status=Status.PENDING).update(
        status=Status.SENDING,
        claimed_at=timezone.now(),
        lease=lease,
        claimed_by=claimants.current(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def _backoff(attempt: int) -> int:
    """Exponential: base, 2×base, 4×base… capped at an hour, with a little jitter against bursts."""
    base = settings.NOTIFICATIONS_RETRY_BASE_DELAY
    delay = min(base * 2 ** max(attempt - 1, 0), 3600)
    return max(1, int(delay * random.uniform(0.9, 1.1)))  # noqa: S311 (jitter, not a secret)


def _finish(notification: Notification, **fields: Any) -> bool:
    """Write the outcome only if our claim still holds (the sweep may have reclaimed a very slow attempt)."""
    updated = Notification.objects.filter(pk=notification.pk, lease=notification.lease, status=Status.SENDING).update(
        lease=None, **fields
    )
    if not updated:
        logger.warning("Notification %s: claim lost before the outcome was written.", notification.pk)
    return bool(updated)


def _loggable(error: str) -> str:
    """What of a delivery error may go to the logs: its kind and SMTP code, never the addresses it quotes.

    "SMTPRecipientsRefused: {'an@example.vn': (550, …)}" becomes "SMTPRecipientsRefused", and
    "Recipient refused: …" becomes "Recipient refused"; the whole text stays on the row for admins.
    """
    head = error.split(":", 1)[0].strip()
    code = next(
        (
            word
            for word in error.replace("(", " ").replace(",", " ").split()
            if len(word) == 3 and word.isdigit() and word[0] in "45"
        ),
        "",
    )
    return f"{head} {code}".strip()


def _attempt_failed(notification: Notification, error: str, *, permanent: bool = False) -> Outcome:
    error = error[:2000]
    if permanent or notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _finish(notification, status=Status.FAILED, last_error=error, claimed_at=None)
        # The reason stays on the row (admins see it); SMTP replies quote addresses, so logs get the first words only.
        logger.error("Notification %s (%s) failed for good: %s", notification.pk, notification.kind, _loggable(error))
        return Outcome("failed")
    delay = _backoff(notification.attempts)
    _finish(
        notification,
        status=Status.PENDING,
        last_error=error,
        claimed_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return Outcome("retry", retry_in=delay)


def email_deliver(*, notification_id: int) -> Outcome:
    """Send one e-mail row at most once: claim, render, send over the configured backend, record."""
    notification = _claim(notification_id, Channel.EMAIL)
    if notification is None:
        return Outcome("skipped")
    try:
        message = build_email(notification)
    except (TemplateDoesNotExist, TemplateSyntaxError, NoAddress) as exc:
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}", permanent=True)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return _attempt_failed(notification, f"Recipient refused: {exc.recipients}", permanent=True)
    except Exception as exc:  # SMTP down, timeouts, DNS…: try again later
        logger.warning(
            "Notification %s: sending failed (%s)", notification.pk, _loggable(f"{type(exc).__name__}: {exc}")
        )
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}")
    if _finish(notification, status=Status.SENT, sent_at=timezone.now(), last_error=""):
        logger.info(
            "Notification %s (%s) sent by e-mail, attempt %d.",
            notification.pk,
            notification.kind,
            notification.attempts,
        )
    return Outcome("sent")


def sms_deliver(*, notification_id: int) -> Outcome:
    """Send one SMS row at most once: claim, render, hand to the gateway, record (same rules as e-mail).

    Gateway 5xx, 429 and timeouts are retried with back-off; other refusals (4xx, a number the
    gateway rejects, no template) fail the row at once, and admins see the gateway's reply.
    """
    from .sms import SmsPermanentError, SmsTemporaryError, build_sms, masked, send_sms

    notification = _claim(notification_id, Channel.SMS)
    if notification is None:
        return Outcome("skipped")
    try:
        message = build_sms(notification)
    except (TemplateDoesNotExist, TemplateSyntaxError, SmsPermanentError) as exc:
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}", permanent=True)
    try:
        send_sms(message)
    except SmsPermanentError as exc:
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}", permanent=True)
    except (SmsTemporaryError, OSError) as exc:
        logger.warning(
            "Notification %s: SMS to %s failed (%s)", notification.pk, masked(message.to), type(exc).__name__
        )
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}")
    if _finish(notification, status=Status.SENT, sent_at=timezone.now(), last_error=""):
        logger.info(
            "Notification %s (%s) sent by SMS to %s, attempt %d.",
            notification.pk,
            notification.kind,
            masked(message.to),
            notification.attempts,
        )
    return Outcome("sent")


def in_app_deliver(*, notification_id: int) -> Outcome:
    """Push one in-app row to the user's open pages (the row itself is already in their list)."""
    from .selectors import notification_payload, unread_count_for

    notification = _claim(notification_id, Channel.IN_APP)
    if notification is None:
        return Outcome("skipped")
    recipient = notification.recipient
    if recipient is None:  # in-app rows are written for users only; a guest row has no page to reach
        return _attempt_failed(notification, "An in-app notification without a user.", permanent=True)
    try:
        send_to_user(
            recipient.pk,
            {
                "type": "notification.new",
                "notification": notification_payload(notification, language_of(recipient.language)),
                "unread": unread_count_for(user_id=recipient.pk),
            },
        )
    except Exception as exc:  # channel layer unreachable
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}")
    _finish(notification, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Outcome("sent")


# --- Periodic work -------------------------------------------------------------------------------


def dead_claims_release(*, now: datetime | None = None) -> dict[str, int]:
    """Rows "sending" whose claimant process on this host is certainly gone: back to pending and dispatched now.

    Called when a worker starts (notifications.tasks, worker_ready) and by every sweep, so
    the e-mail of a SIGKILLed worker goes out seconds after a worker runs again on that host
    instead of after NOTIFICATIONS_CLAIM_TIMEOUT. Each row is released with a conditional
    UPDATE on its lease: a claim that changed meanwhile is left alone, and a dead claimant
    cannot finish its send, so the row is still sent once. A row whose claim was its last
    attempt is marked failed. Claims of other hosts wait for the timeout (see claimants).
    """
    now = now or timezone.now()
    candidates = list(
        Notification.objects.filter(status=Status.SENDING, claimed_by__startswith=claimants.host_prefix()).values_list(
            "pk", "channel", "lease", "claimed_by", "attempts"
        )
    )
    released: list[tuple[int, str]] = []
    failed = 0
    error = "The worker stopped during the attempt."
    for pk, channel, lease, claimed_by, attempts in candidates:
        if not claimants.is_dead(claimed_by):
            continue
        claim = Notification.objects.filter(pk=pk, lease=lease, status=Status.SENDING)
        if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            failed += claim.update(status=Status.FAILED, lease=None, claimed_at=None, last_error=error)
        elif claim.update(status=Status.PENDING, lease=None, claimed_at=None, next_attempt_at=now, last_error=error):
            released.append((pk, channel))
    dispatched = dispatch(released) if released else 0
    if released or failed:
        logger.warning(
            "Released %d notification(s) claimed by stopped workers (%d failed for good, %d dispatched).",
            len(released),
            failed,
            dispatched,
        )
    return {"released": len(released), "failed": failed, "dispatched": dispatched}


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Reclaim rows a dead worker left "sending", then re-dispatch pending rows that are overdue.

    A row is overdue when it was due more than NOTIFICATIONS_SWEEP_GRACE seconds ago
    (its on-commit task should have taken it by then); re-dispatched rows are pushed
    back by that grace so a backed-up queue does not get the same row every minute.
    The claim timeout is longer than the task time limit, so a live worker's claim
    is never taken from it.
    """
    now = now or timezone.now()
    released = dead_claims_release(now=now)
    grace = timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE)
    stale = Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    )
    failed = stale.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=Status.FAILED,
        lease=None,
        claimed_at=None,
        last_error="The worker stopped during the last attempt.",
    )
    reclaimed = stale.update(status=Status.PENDING, lease=None, claimed_at=None, next_attempt_at=now - grace)
    due = list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "channel")[: settings.NOTIFICATIONS_SWEEP_BATCH]
    )
    if due:
        Notification.objects.filter(pk__in=[pk for pk, _channel in due], status=Status.PENDING).update(
            next_attempt_at=now
        )
    dispatched = dispatch(due) if due else 0
    reclaimed += released["released"]
    failed += released["failed"]
    if reclaimed or failed or due:
        logger.info("Outbox sweep: %d reclaimed, %d failed, %d re-dispatched.", reclaimed, failed, dispatched)
    return {"reclaimed": reclaimed, "failed": failed, "dispatched": dispatched}


def digests_send(*, now: datetime | None = None) -> int:
    """Gather each user's held e-mails into one digest e-mail; returns the number of digests.

    Each user's held rows are locked while their digest row is written, so two
    runs at once cannot put one item in two digests.
    """
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.filter(status=Status.HELD, channel=Channel.EMAIL)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    count = 0
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        with transaction.atomic():
            held = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, status=Status.HELD, channel=Channel.EMAIL)
                .order_by("created_at", "pk")
            )
            if not held:
                continue
            language = language_of(user.language)
            items = [
                {"title": render_title(row, language), "url": target_url(row), "created_at": row.created_at.isoformat()}
                for row in held
            ]
            last_id = max(row.pk for row in held)
            digest_rows = notify(
                kind="notifications.digest",
                recipients=[user],
                context={"items": items, "count": len(items), "date": timezone.localdate(now).isoformat()},
                channels=[Channel.EMAIL],
                idempotency_key=f"notifications.digest:{user.pk}:{last_id}",
            )
            Notification.objects.filter(pk__in=[row.pk for row in held]).update(
                status=Status.SENT, sent_at=now, digest=digest_rows[0] if digest_rows else None
            )
            count += 1
    return count


# --- In-app read marks -----------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own in-app notifications read, with the others about its question (404 for
    anyone else's); idempotent."""
    from .selectors import inbox_item

    with transaction.atomic():
        notification = inbox_item(user=user, notification_id=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
            send_unread_count_on_commit(user.pk)
        # The list shows items about one question as one group: reading it reads them all.
        question = (notification.context or {}).get("question")
        if isinstance(question, dict) and isinstance(question.get("id"), int):
            notifications_read_about(user=user, question_id=question["id"])
    return notification


def notifications_read_about(*, user: User | AnonymousUser, question_id: int) -> int:
    """The person opened a question or acted on it: their unread items about it are read now.

    Items carry the question's id in their context (qa.messaging.question_data); returns how many changed.
    """
    if not user.is_authenticated:
        return 0
    with transaction.atomic():
        changed = Notification.objects.filter(
            recipient=user, channel=Channel.IN_APP, read_at__isnull=True, context__question__id=question_id
        ).update(read_at=timezone.now())
        if changed:
            send_unread_count_on_commit(user.pk)
    return changed


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread in-app notification of the user read; returns how many changed."""
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            send_unread_count_on_commit(user.pk)
    return changed


# --- Preferences and unsubscribe -------------------------------------------------------------------


def preference_set(
    *,
    user: User,
    kind: str,
    email_enabled: bool,
    in_app_enabled: bool,
    email_digest: bool = False,
    sms_enabled: bool | None = None,
) -> NotificationPreference:
    """Store the user's choice for one kind; transactional e-mails stay on, digests only where offered.

    SMS only for kinds with the SMS channel; None keeps the stored choice.
    """
    spec = spec_for(kind)
    defaults = {
        "email_enabled": True if spec.transactional else bool(email_enabled),
        "in_app_enabled": bool(in_app_enabled),
        "email_digest": bool(email_digest and spec.digestible),
    }
    if sms_enabled is not None:
        defaults["sms_enabled"] = bool(sms_enabled and Channel.SMS in spec.channels)
    preference, _created = NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults=defaults)
    return preference


def preferences_save(*, user: User, choices: dict[str, dict]) -> None:
    """Save the preferences page: {kind: {"email", "in_app", "digest", "sms": bool}} in one transaction."""
    with transaction.atomic():
        for kind, choice in choices.items():
            preference_set(
                user=user,
                kind=kind,
                email_enabled=choice.get("email", False),
                in_app_enabled=choice.get("in_app", False),
                email_digest=choice.get("digest", False),
                sms_enabled=choice.get("sms", False),
            )


def unsubscribe(*, token: str) -> UnsubscribeTarget:
    """Apply a one-click unsubscribe link: e-mails of that kind stop for that user or address.

    Raises ValidationError (code "expired" or "invalid") for a bad link; applying it twice is harmless.
    """
    target = read_unsubscribe_token(token)
    if spec_for(target.kind).transactional:
        raise ValidationError(_("This unsubscribe link is not valid."), code="invalid")
    with transaction.atomic():
        if target.user_id is not None:
            user = get_user_model().objects.filter(pk=target.user_id).first()
            if user is None:
                raise ValidationError(_("This unsubscribe link is not valid."), code="invalid")
            preference = NotificationPreference.objects.select_for_update().filter(user=user, kind=target.kind).first()
            preference_set(
                user=user,
                kind=target.kind,
                email_enabled=False,
                in_app_enabled=preference.in_app_enabled if preference else True,
                email_digest=False,
            )
        else:
            EmailOptOut.objects.get_or_create(email=target.email.lower(), kind=target.kind)
    return target


# --- Admin -----------------------------------------------------------------------------------------


def notifications_resend(*, ids: Iterable[int]) -> int:
    """Put failed (or stuck pending) rows back in the queue with a fresh set of attempts; sent rows stay sent."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(ids), status__in=[Status.FAILED, Status.PENDING])
            .values_list("pk", "channel")
        )
        if rows:
            Notification.objects.filter(pk__in=[pk for pk, _channel in rows]).update(
                status=Status.PENDING, attempts=0, next_attempt_at=now, lease=None, claimed_at=None
            )
            transaction.on_commit(partial(dispatch, rows))
    return len(rows)


# --- A user's mobile number for SMS ----------------------------------------------------------------


def _sms_code_hash(user_id: int, phone: str, code: str) -> str:
    import hmac

    message = f"notifications.sms-number:{user_id}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def sms_number_request(*, user: User, phone: str, client_ip: str | None = None) -> SmsNumber:
    """Start confirming a mobile number for SMS notifications: a 6-digit code goes to it by SMS.

    The number is not used until confirmed. Sends are limited per number and per IP
    (QA_PHONE_CODE_RATE_*); the code lives QA_PHONE_CODE_TTL seconds and only its HMAC is kept.
    """
    import secrets

    from accounts import ratelimit
    from accounts.phones import normalise_mobile

    from .sms import otp_code

    number = normalise_mobile(phone)
    if number is None:
        raise ValidationError(
            {"phone": [_("Enter a Vietnamese mobile number, for example 0912 345 678 or +84 912 345 678.")]}
        )
    limits = [("sms-number", number, settings.QA_PHONE_CODE_RATE_PER_NUMBER)]
    if client_ip:
        limits.append(("sms-number-ip", client_ip, settings.QA_PHONE_CODE_RATE_PER_IP))
    ratelimit.hit_many(limits)
    nonce = secrets.token_urlsafe(16)
    now = timezone.now()
    with transaction.atomic():
        record, _created = SmsNumber.objects.update_or_create(
            user=user,
            defaults={
                "phone": number,
                "verified_at": None,
                "code_hash": _sms_code_hash(user.pk, number, otp_code(nonce)),
                "code_expires_at": now + timedelta(seconds=settings.QA_PHONE_CODE_TTL),
                "code_attempts": 0,
            },
        )
        notify(
            kind="notifications.confirm_phone",
            recipients=[Recipient(phone=number, language=user.language)],
            context={"otp_nonce": nonce, "minutes": max(settings.QA_PHONE_CODE_TTL // 60, 1)},
            idempotency_key=f"notifications.confirm_phone:u{user.pk}:{uuid.uuid4().hex}",
        )
    return record


def sms_number_confirm(*, user: User, code: str) -> SmsNumber:
    """Check the code sent to the user's number; raises ValidationError (wrong tries are kept)."""
    from django.utils.crypto import constant_time_compare

    code = "".join(ch for ch in (code or "") if ch.isdigit())
    error = None
    with transaction.atomic():
        record = SmsNumber.objects.select_for_update().filter(user=user).first()
        if record is None or record.verified_at is not None:
            if record is None:
                raise ValidationError({"code": [_("Add your mobile number first.")]})
            return record
        if not record.code_hash or record.code_expires_at is None or record.code_expires_at <= timezone.now():
            error = _("This code has expired. Ask for a new code below.")
        elif record.code_attempts >= settings.QA_PHONE_CODE_ATTEMPTS:
            error = _("Too many wrong codes. Ask for a new code below.")
        else:
            record.code_attempts += 1
            if len(code) == 6 and constant_time_compare(record.code_hash, _sms_code_hash(user.pk, record.phone, code)):
                record.verified_at = timezone.now()
                record.code_hash = ""
                record.save(update_fields=["code_attempts", "verified_at", "code_hash", "updated_at"])
            else:
                record.save(update_fields=["code_attempts", "updated_at"])
                error = _("This code is not right. Check the SMS and try again.")
    if error:
        raise ValidationError({"code": [error]})
    return record


def sms_number_remove(*, user: User) -> None:
    """Stop SMS notifications: the number is forgotten (the choices per kind stay for a future number)."""
    SmsNumber.objects.filter(user=user).delete()
