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
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from .emails import NoAddress, build_email, language_of, render_title, target_url
from .kinds import spec_for
from .models import Channel, EmailOptOut, Notification, NotificationPreference, Status
from .realtime import send_to_user, send_unread_count_on_commit
from .tokens import UnsubscribeTarget, read_unsubscribe_token

logger = logging.getLogger(__name__)

# Rows per INSERT statement (a fan-out to thousands of users stays under the databases' parameter limits).
_INSERT_BATCH = 500
# What a dispatch may cost a request when the broker is down: one quick retry, then the sweep takes over.
_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


@dataclass(frozen=True)
class Recipient:
    """Someone without an account (a guest asker): an address and the language to write in."""

    email: str
    language: str = ""


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
    spec = spec_for(kind)
    wanted = frozenset(channels) if channels is not None else spec.channels
    unknown = wanted - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channel(s): {sorted(unknown)}")
    base = idempotency_key or f"{kind}:{uuid.uuid4().hex}"
    users, guests = _split_recipients(recipients)

    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users, kind=kind)} if users else {}
    opted_out: set[str] = set()
    if guests and not spec.transactional:
        opted_out = set(EmailOptOut.objects.filter(email__in=list(guests), kind=kind).values_list("email", flat=True))

    now = timezone.now()
    rows: list[Notification] = []
    for user in users:
        pref = prefs.get(user.pk)
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


def _split_recipients(recipients: Iterable) -> tuple[list, dict[str, str]]:
    """Users (active, each once) and guests {address: language}, each once."""
    user_model = get_user_model()
    users: dict[int, object] = {}
    guests: dict[str, str] = {}
    for recipient in recipients:
        if isinstance(recipient, user_model):
            if recipient.is_active:
                users.setdefault(recipient.pk, recipient)
        elif isinstance(recipient, Recipient):
            address = recipient.email.strip().lower()
            if address:
                guests.setdefault(address, recipient.language)
        else:
            raise TypeError(f"A recipient is a User or a Recipient, not {type(recipient).__name__}.")
    return list(users.values()), guests


def dispatch(rows: list[tuple[int, str]]) -> int:
    """Hand rows to the delivery tasks; returns how many were handed over.

    If the broker is unreachable, stop at once: the rows are safe in the
    database and the sweep sends them when it is back.
    """
    from kombu.exceptions import OperationalError

    from .tasks import push_in_app, send_email

    handed = 0
    for pk, channel in rows:
        task = send_email if channel == Channel.EMAIL else push_in_app
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
        status=Status.SENDING, claimed_at=timezone.now(), lease=lease, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def _backoff(attempt: int) -> int:
    """Exponential: base, 2×base, 4×base… capped at an hour, with a little jitter against bursts."""
    base = settings.NOTIFICATIONS_RETRY_BASE_DELAY
    delay = min(base * 2 ** max(attempt - 1, 0), 3600)
    return max(1, int(delay * random.uniform(0.9, 1.1)))  # noqa: S311 (jitter, not a secret)


def _finish(notification: Notification, **fields) -> bool:
    """Write the outcome only if our claim still holds (the sweep may have reclaimed a very slow attempt)."""
    updated = Notification.objects.filter(pk=notification.pk, lease=notification.lease, status=Status.SENDING).update(
        lease=None, **fields
    )
    if not updated:
        logger.warning("Notification %s: claim lost before the outcome was written.", notification.pk)
    return bool(updated)


def _attempt_failed(notification: Notification, error: str, *, permanent: bool = False) -> Outcome:
    error = error[:2000]
    if permanent or notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _finish(notification, status=Status.FAILED, last_error=error, claimed_at=None)
        logger.error("Notification %s failed for good: %s", notification.pk, error)
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
        logger.warning("Notification %s: sending failed (%s)", notification.pk, exc)
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}")
    _finish(notification, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Outcome("sent")


def in_app_deliver(*, notification_id: int) -> Outcome:
    """Push one in-app row to the user's open pages (the row itself is already in their list)."""
    from .selectors import notification_payload, unread_count_for

    notification = _claim(notification_id, Channel.IN_APP)
    if notification is None:
        return Outcome("skipped")
    try:
        send_to_user(
            notification.recipient_id,
            {
                "type": "notification.new",
                "notification": notification_payload(notification, language_of(notification.recipient.language)),
                "unread": unread_count_for(user_id=notification.recipient_id),
            },
        )
    except Exception as exc:  # channel layer unreachable
        return _attempt_failed(notification, f"{type(exc).__name__}: {exc}")
    _finish(notification, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Outcome("sent")


# --- Periodic work -------------------------------------------------------------------------------


def outbox_sweep(*, now=None) -> dict[str, int]:
    """Reclaim rows a dead worker left "sending", then re-dispatch pending rows that are overdue.

    A row is overdue when it was due more than NOTIFICATIONS_SWEEP_GRACE seconds ago
    (its on-commit task should have taken it by then); re-dispatched rows are pushed
    back by that grace so a backed-up queue does not get the same row every minute.
    The claim timeout is longer than the task time limit, so a live worker's claim
    is never taken from it.
    """
    now = now or timezone.now()
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
    if reclaimed or failed or due:
        logger.info("Outbox sweep: %d reclaimed, %d failed, %d re-dispatched.", reclaimed, failed, dispatched)
    return {"reclaimed": reclaimed, "failed": failed, "dispatched": dispatched}


def digests_send(*, now=None) -> int:
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


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's own in-app notifications read (404 for anyone else's); idempotent."""
    from .selectors import inbox_item

    with transaction.atomic():
        notification = inbox_item(user=user, notification_id=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
            send_unread_count_on_commit(user.pk)
    return notification


def notifications_mark_all_read(*, user) -> int:
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
    *, user, kind: str, email_enabled: bool, in_app_enabled: bool, email_digest: bool = False
) -> NotificationPreference:
    """Store the user's choice for one kind; transactional e-mails stay on, digests only where offered."""
    spec = spec_for(kind)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={
            "email_enabled": True if spec.transactional else bool(email_enabled),
            "in_app_enabled": bool(in_app_enabled),
            "email_digest": bool(email_digest and spec.digestible),
        },
    )
    return preference


def preferences_save(*, user, choices: dict[str, dict]) -> None:
    """Save the preferences page: {kind: {"email": bool, "in_app": bool, "digest": bool}} in one transaction."""
    with transaction.atomic():
        for kind, choice in choices.items():
            preference_set(
                user=user,
                kind=kind,
                email_enabled=choice.get("email", False),
                in_app_enabled=choice.get("in_app", False),
                email_digest=choice.get("digest", False),
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
