"""The catalogue of notification kinds: who they are for, which channels, whether one may opt out.

A kind is "<app>.<name>". Its e-mail is rendered from emails/<app>/<name>{_subject.txt,.txt,.html}
(or emails/notifications/<app>/<name>… for kinds whose templates this app ships). Apps may
notify with a kind that is not listed here: it then gets the defaults of `spec_for`, so a new
kind never blocks its caller, but it only appears on the preferences page once listed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Channel

BOTH = frozenset({Channel.EMAIL, Channel.IN_APP})
EMAIL_ONLY = frozenset({Channel.EMAIL})
# Kinds a guest who gave only a mobile number gets by SMS (body: templates/sms/<app>/<name>.txt).
WITH_SMS = frozenset({Channel.EMAIL, Channel.IN_APP, Channel.SMS})
EMAIL_SMS = frozenset({Channel.EMAIL, Channel.SMS})
SMS_ONLY = frozenset({Channel.SMS})

ASKER = "asker"
STAFF = "staff"
DIALOGUE = "dialogue"
SYSTEM = "system"


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy text shown on the preferences page
    audience: str
    # Transactional messages answer something the recipient did or is owed (a receipt, an
    # answer): they are always e-mailed and carry no unsubscribe link.
    transactional: bool = False
    channels: frozenset = BOTH
    # Whether a user may choose to get these e-mails once a day in a digest.
    digestible: bool = False

    @property
    def app(self) -> str:
        return self.code.partition(".")[0]

    @property
    def name(self) -> str:
        return self.code.partition(".")[2] or self.code


_KINDS = [
    # To askers.
    Kind("qa.confirm_email", _("Confirm your e-mail address"), ASKER, transactional=True, channels=EMAIL_ONLY),
    Kind("qa.confirm_phone", _("Your confirmation code"), ASKER, transactional=True, channels=SMS_ONLY),
    Kind("qa.received", _("Your question was received"), ASKER, transactional=True, channels=WITH_SMS),
    Kind("qa.tracking_links", _("Links to follow your questions"), ASKER, transactional=True, channels=EMAIL_SMS),
    Kind("qa.information_requested", _("More information is requested"), ASKER, transactional=True, channels=WITH_SMS),
    Kind("qa.transferred", _("Your question was transferred"), ASKER, transactional=True, channels=WITH_SMS),
    Kind("qa.rejected", _("Your question was rejected"), ASKER, transactional=True, channels=WITH_SMS),
    Kind("qa.answered", _("Your question was answered"), ASKER, transactional=True, channels=WITH_SMS),
    Kind("qa.published", _("Your question was published"), ASKER),
    Kind("qa.rate_answer", _("Rate the answer you received"), ASKER),
    Kind(
        "qa.erasure_confirm",
        _("Confirm the erasure of your personal data"),
        ASKER,
        transactional=True,
        channels=EMAIL_SMS,
    ),
    Kind(
        "orgchanges.questions_moved",
        _("Your question moved to a new agency (reorganisation)"),
        ASKER,
        transactional=True,
        channels=WITH_SMS,
    ),
    # To agency staff.
    Kind("qa.staff_new_question", _("New question in the agency queue"), STAFF, digestible=True),
    Kind("qa.staff_assigned", _("A question was assigned to you"), STAFF),
    Kind("qa.staff_review_requested", _("An answer awaits your review"), STAFF),
    Kind("qa.staff_returned", _("An answer was returned by the reviewer"), STAFF),
    Kind("qa.staff_reply_received", _("The asker replied"), STAFF, digestible=True),
    Kind("qa.staff_due_tomorrow", _("Questions due tomorrow"), STAFF),
    Kind("qa.staff_overdue", _("Overdue questions (daily digest)"), STAFF),
    # About live dialogues.
    Kind("dialogues.session_reminder", _("A dialogue you follow starts in an hour"), DIALOGUE),
    Kind("dialogues.session_live", _("A dialogue you follow is live now"), DIALOGUE),
    Kind("dialogues.transcript_published", _("The transcript of a dialogue was published"), DIALOGUE),
    # Account e-mails, queued by accounts through core.outbox (links made at send time: accounts/emails.py).
    Kind("accounts.verify_email", _("Confirm your e-mail address"), SYSTEM, transactional=True, channels=EMAIL_ONLY),
    Kind("accounts.password_reset", _("Reset your password"), SYSTEM, transactional=True, channels=EMAIL_ONLY),
    Kind(
        "accounts.registration_attempt",
        _("Someone tried to register your address"),
        SYSTEM,
        transactional=True,
        channels=EMAIL_ONLY,
    ),
    # The daily digest itself follows the preferences of the kinds it carries.
    Kind("notifications.digest", _("Daily digest"), SYSTEM, transactional=True, channels=EMAIL_ONLY),
    # The code confirming a user's mobile number for SMS notifications.
    Kind("notifications.confirm_phone", _("Confirm your mobile number"), SYSTEM, transactional=True, channels=SMS_ONLY),
]

KINDS: dict[str, Kind] = {kind.code: kind for kind in _KINDS}


def spec_for(code: str) -> Kind:
    """The catalogue entry, or defaults for a kind an app added without listing it here."""
    try:
        return KINDS[code]
    except KeyError:
        return Kind(code, code, SYSTEM)


def kinds_for_audience(*audiences: str) -> list[Kind]:
    return [kind for kind in _KINDS if kind.audience in audiences]
