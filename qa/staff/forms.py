"""Forms of the officials' panel.

They parse and render only. The rules (required texts, lengths, who may be
assigned, which agency a question may go to) live in the services and come
back as ValidationError({field: [messages]}); `add_service_errors` puts those
next to the field they concern, so the panel and the API word errors the same.

Every form that changes a question carries `expected_version`: the question
version the page showed. A concurrent change then becomes a clear conflict.
"""

import re

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Membership
from core.forms import add_service_errors

from .. import places
from ..forms import ACCEPTED_UPLOADS, FILES_HELP, MultipleFileField, MultipleFileInput
from ..models import AskerType, Channel, RejectionReason, TakedownReason, Topic
from ..services.registration import REGISTER_CHANNELS
from .selectors import ALL_TAB, DUE_FILTERS, TAB_LABELS, TABS, QueueFilters

MESSAGE_ROWS = 4


class ServiceErrorsMixin:
    def add_service_errors(self, error_dict: dict[str, list]) -> None:
        """Put a service's {field: [messages]} on the form; unknown fields go to the top (core.forms)."""
        add_service_errors(self, error_dict)


class StaffForm(ServiceErrorsMixin, forms.Form):
    """Texts are not required here on purpose: the service says what is missing, in one wording."""


class VersionedForm(StaffForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class QuickSelect(forms.Select):
    """A <select> written in Python, the same HTML as Django's select template.

    The queue's filter and bulk-action selects are rendered on every view of the
    queue, and the template engine renders one sub-template per option: those
    were about a third of the page's rendering time (bench/staff.py). Grouped
    choices still go through the template.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


def _textarea(rows: int = MESSAGE_ROWS, maxlength: int | None = None) -> forms.Textarea:
    attrs: dict = {"rows": rows}
    if maxlength:
        attrs.update(maxlength=maxlength, **{"data-counter": maxlength})
    return forms.Textarea(attrs=attrs)


def assignee_choices(users, *, empty_label) -> list[tuple[str, str]]:
    return [("", empty_label)] + [(str(u.pk), u.get_full_name()) for u in users]


# --- The queue ---------------------------------------------------------------------------------


SORT_CHOICES = [
    ("due", _("Due date (soonest first)")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("updated", _("Recently changed")),
]


class QueueFilterForm(forms.Form):
    """GET filters of the queue; an invalid value is reported and ignored, never a 500."""

    tab = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Reference code, words of the title or text, or the asker's e-mail or phone."),
        widget=forms.TextInput(attrs={"type": "search", "data-shortcut": "/"}),
    )
    agency = forms.ChoiceField(label=_("Agency"), required=False, widget=QuickSelect)
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=QuickSelect)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=QuickSelect)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("Any")), ("soon", _("Due soon")), ("overdue", _("Overdue"))],
        widget=QuickSelect,
    )
    date_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.ChoiceField(
        label=_("Asker's commune or ward"),
        required=False,
        help_text=_("Includes the units merged into it."),
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=QuickSelect)

    def __init__(
        self, *args, agencies: list[Agency], topics: list[Topic], assignees: list, units: list | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # The units in force today (qa.places.units_valid_on), by province and name; the value is the code.
        self._units = {unit.code: unit for unit in units or []}
        self._place_ids: tuple[int, ...] | None = None
        self.fields["place"].choices = [("", _("Any place"))] + [
            (unit.code, f"{unit.name}, {unit.province}") for unit in units or []
        ]
        self.fields["tab"].choices = [(tab, TAB_LABELS[tab]) for tab in (*TABS, ALL_TAB)]
        self.fields["agency"].choices = [("", _("All my agencies"))] + [(str(a.pk), a.name) for a in agencies]
        self.fields["topic"].choices = [("", _("All topics"))] + [(str(t.pk), t.name) for t in topics]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Assigned to me")),
            ("none", _("Not assigned")),
        ] + [(str(u.pk), u.get_full_name()) for u in assignees]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def _valid(self, name: str, default=None):
        if not self.is_bound or name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def current_tab(self) -> str:
        return self._valid("tab", "new")

    @property
    def current_sort(self) -> str:
        return self._valid("sort", "due")

    def queue_filters(self) -> QueueFilters:
        """The selector's filters from the valid part of the form (invalid fields count as "any")."""
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        agency = self._valid("agency")
        topic = self._valid("topic")
        due = self._valid("due", "")
        return QueueFilters(
            agency_ids=(int(agency),) if agency else (),
            topic_id=int(topic) if topic else None,
            assignee=self._valid("assignee"),
            due=due if due in DUE_FILTERS else "",
            date_from=self._valid("date_from") if "date_to" not in self.errors else None,
            date_to=self._valid("date_to"),
            search=(self._valid("q", "") or "").strip(),
            place_ids=self._chosen_place_ids(),
        )

    def _chosen_place_ids(self) -> tuple[int, ...]:
        """The chosen unit with its predecessors, read once per form (merged units' questions count under it)."""
        if self._place_ids is None:
            unit = self._units.get(self._valid("place") or "")
            self._place_ids = places.unit_and_predecessors(unit.pk) if unit is not None else ()
        return self._place_ids

    def is_filtered(self) -> bool:
        filters = self.queue_filters()
        return any(
            (
                filters.topic_id,
                filters.assignee,
                filters.due,
                filters.date_from,
                filters.date_to,
                filters.search,
                filters.place_ids,
            )
        )


class BulkRejectForm(StaffForm):
    """Rejecting a wave of spam from the queue: the same reason and message for each chosen question."""

    references = forms.MultipleChoiceField(required=False)  # choices are the references on the page
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(value, label) for value, label in RejectionReason.choices if value != RejectionReason.DUPLICATE],
        initial=RejectionReason.SPAM,
        widget=QuickSelect,
    )
    message = forms.CharField(
        label=_("Message to the askers"),
        required=False,
        help_text=_("Sent to every asker whose question you reject here."),
        widget=_textarea(3, 5000),
    )

    def __init__(self, *args, references: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A reference that left the page (or was typed in) is still looked up, and only in the user's agencies.
        chosen = self.data.getlist("references") if self.is_bound and hasattr(self.data, "getlist") else []
        self.fields["references"].choices = [(r, r) for r in {*(references or []), *chosen}]

    def clean_references(self):
        references = self.cleaned_data["references"]
        if not references:
            raise forms.ValidationError(_("Tick the questions you want to reject."))
        return references


# --- Actions on one question ----------------------------------------------------------------------


class AcceptForm(VersionedForm):
    assignee = forms.ChoiceField(label=_("Assign to (optional)"), required=False)
    note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = assignee_choices(assignees, empty_label=_("Nobody yet"))

    def service_arguments(self) -> dict:
        return {"assignee": _int_or_none(self.cleaned_data["assignee"]), "note": self.cleaned_data["note"]}


class AssignForm(VersionedForm):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = assignee_choices(assignees, empty_label=_("Nobody (take it back)"))

    def service_arguments(self) -> dict:
        return {"assignee": _int_or_none(self.cleaned_data["assignee"]), "note": self.cleaned_data["note"]}


class RejectForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    duplicate_of = forms.CharField(
        label=_("Duplicate of (reference code)"),
        required=False,
        max_length=40,
        help_text=_("Only when the reason is “duplicate”: the question this one repeats."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "reference"}),
    )
    message = forms.CharField(
        label=_("Message to the asker"),
        required=False,
        help_text=_("The asker reads this on the tracking page and in the e-mail."),
        widget=_textarea(4, 5000),
    )
    internal_note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choose a reason…")), *RejectionReason.choices]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "message": data["message"],
            "duplicate_of": data["duplicate_of"] or None,
            "internal_note": data["internal_note"],
        }


class TransferForm(VersionedForm):
    agency = forms.ChoiceField(label=_("Transfer to"), required=False)
    reason = forms.CharField(
        label=_("Why this agency?"),
        required=False,
        help_text=_("The asker is told the question moved, and why."),
        widget=_textarea(3, 1000),
    )
    internal_note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Choose an agency…"))] + [(str(a.pk), a.name) for a in agencies]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "to_agency": _int_or_none(data["agency"]) or 0,
            "reason": data["reason"],
            "internal_note": data["internal_note"],
        }


class RequestInformationForm(VersionedForm):
    message = forms.CharField(
        label=_("What should the asker add?"),
        required=False,
        help_text=_("The answer deadline pauses until the asker replies from the tracking page."),
        widget=_textarea(4, 5000),
    )

    def service_arguments(self) -> dict:
        return {"message": self.cleaned_data["message"]}


class NoteOnlyForm(VersionedForm):
    note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def service_arguments(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class AnswerByReferenceForm(VersionedForm):
    answer_reference = forms.CharField(
        label=_("Reference code of the published answer"),
        required=False,
        max_length=40,
        help_text=_("The asker is sent that answer and the question is closed as answered by reference."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "reference"}),
    )
    note = forms.CharField(label=_("Message to the asker (optional)"), required=False, widget=_textarea(2, 5000))

    def service_arguments(self) -> dict:
        return {"answer_reference": self.cleaned_data["answer_reference"], "note": self.cleaned_data["note"]}


class MergeForm(VersionedForm):
    references = forms.CharField(
        label=_("Reference codes of the questions to merge into this one"),
        required=False,
        max_length=2500,
        help_text=_(
            "Questions in progress of this agency asking the same thing, separated by commas or spaces. "
            "This question becomes the group's primary: it is answered once, and every asker receives the answer."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "reference"}),
    )
    note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def service_arguments(self) -> dict:
        return {"references": self.cleaned_data["references"], "note": self.cleaned_data["note"]}


class ReturnForm(VersionedForm):
    comment = forms.CharField(
        label=_("What should change?"),
        required=False,
        help_text=_("The author and the assignee are told."),
        widget=_textarea(3, 5000),
    )

    def service_arguments(self) -> dict:
        return {"comment": self.cleaned_data["comment"]}


class SendForm(VersionedForm):
    signed_by = forms.CharField(
        label=_("Signed by (optional)"),
        required=False,
        max_length=255,
        help_text=_("Empty: the answer is signed with the agency's name."),
    )

    def service_arguments(self) -> dict:
        signed_by = self.cleaned_data["signed_by"]
        return {"signed_by": signed_by or None}


class UnpublishForm(VersionedForm):
    category = forms.ChoiceField(
        label=_("Reason shown in the public takedown log"),
        required=False,
        choices=TakedownReason.choices,
        initial=TakedownReason.PERSONAL_DATA,
    )
    reason = forms.CharField(label=_("Why? (internal)"), required=False, widget=_textarea(2, 1000))

    def service_arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"], "category": self.cleaned_data.get("category") or ""}


class ConfirmationsField(forms.Field):
    """Any number of posted strings (the matched texts an official confirms); the page renders the boxes."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v)[:500] for v in values][:50]


class PublicVersionForm(VersionedForm):
    """The redacted public title and text, used both to save them and to publish with them."""

    public_title = forms.CharField(
        label=_("Public title"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "data-counter": 200}),
    )
    public_body = forms.CharField(
        label=_("Public text"),
        required=False,
        strip=False,
        help_text=_("Remove names, addresses, phone numbers and anything else that identifies the asker."),
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": 10000, "data-counter": 10000}),
    )

    # One checkbox per finding of the asker's own data, rendered beside the finding (the template lists them).
    confirmed_findings = ConfirmationsField(required=False)

    def service_arguments(self) -> dict:
        return {
            "public_title": self.cleaned_data["public_title"],
            "public_body": self.cleaned_data["public_body"],
            "confirmed_findings": self.cleaned_data["confirmed_findings"],
        }


class NoteForm(StaffForm):
    body = forms.CharField(
        label=_("New internal note"),
        required=False,
        help_text=_("Seen only by the agency's staff."),
        widget=_textarea(3, 5000),
    )


# --- The answer ----------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BLOCK_START = re.compile(r"^<\s*(p|ul|ol)\b", re.IGNORECASE)
_P_OPEN = re.compile(r"<p>\s*", re.IGNORECASE)
_P_CLOSE = re.compile(r"\s*</p>\s*", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>\n?", re.IGNORECASE)
_LIST_OPEN = re.compile(r"\s*(<(?:ul|ol)\b)", re.IGNORECASE)
_LIST_CLOSE = re.compile(r"(</(?:ul|ol)>)\s*", re.IGNORECASE)
_MANY_BREAKS = re.compile(r"\n{3,}")


def paragraphs_to_html(text: str) -> str:
    """What the official typed → answer HTML: blocks separated by an empty line become paragraphs.

    A block that is already a paragraph or a list (<p>, <ul>, <ol>) is kept as
    written; inside a paragraph a line break stays a line break. The service
    sanitises the result either way.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    # A list is a block of its own even when typed right after a sentence.
    text = _LIST_CLOSE.sub("\\1\n\n", _LIST_OPEN.sub("\n\n\\1", text))
    blocks = [block.strip() for block in _PARAGRAPH_BREAK.split(text) if block.strip()]
    return "".join(
        block if _BLOCK_START.match(block) else "<p>" + block.replace("\n", "<br>") + "</p>" for block in blocks
    )


def html_to_editable(html: str) -> str:
    """Stored answer HTML → the editor's text: paragraphs as empty lines, so officials do not edit <p> tags.

    The inverse of paragraphs_to_html for what it produces; lists and inline tags stay as they are.
    """
    text = _BR.sub("\n", html or "")
    text = _P_OPEN.sub("", text)
    text = _P_CLOSE.sub("\n\n", text)
    text = _LIST_CLOSE.sub("\\1\n\n", _LIST_OPEN.sub("\n\n\\1", text))
    return _MANY_BREAKS.sub("\n\n", text).strip()


class AnswerForm(StaffForm):
    answer_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    body = forms.CharField(
        label=_("Answer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "maxlength": 50000, "data-counter": 50000, "spellcheck": "true"}),
    )
    signed_by = forms.CharField(
        label=_("Signed by (optional)"),
        required=False,
        max_length=255,
        help_text=_("For example: Giám đốc Sở Tài nguyên và Môi trường. Empty: the agency's name."),
    )
    attachments = MultipleFileField(
        label=_("Attach official documents (optional)"),
        required=False,
        help_text=FILES_HELP,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )

    def service_arguments(self, files: list) -> dict:
        data = self.cleaned_data
        return {
            "body": paragraphs_to_html(data["body"]),
            "expected_version": data.get("answer_version") or None,
            "signed_by": data["signed_by"],
            "attachments": files,
        }


class TemplatePickForm(forms.Form):
    """GET ?template=<id>: start the answer from one of the agency's templates (works without JavaScript)."""

    template = forms.ChoiceField(label=_("Start from a template"), required=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("Choose a template…"))] + [
            (str(t.pk), f"{t.title} · {t.topic.name}" if t.topic_id else t.title) for t in templates
        ]


# --- Registering a question received by phone, paper or e-mail --------------------------------------


class RegisterForm(StaffForm):
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    channel = forms.ChoiceField(
        label=_("Received by"),
        required=False,
        choices=[(c.value, c.label) for c in Channel if c in REGISTER_CHANNELS],
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        help_text=_("Empty: today. The 5-working-day transfer clock counts from this date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    title = forms.CharField(
        label=_("Title"), required=False, strip=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    body = forms.CharField(label=_("The question"), required=False, strip=False, widget=_textarea(8))
    asker_type = forms.ChoiceField(
        label=_("The asker is"),
        required=False,
        choices=AskerType.choices,
        initial=AskerType.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Asker's full name"), required=False)
    organisation_name = forms.CharField(label=_("Organisation or business"), required=False)
    tax_code = forms.CharField(label=_("Tax code"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False, widget=forms.EmailInput)
    phone = forms.CharField(label=_("Phone"), required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("Postal address"), required=False)
    place = forms.CharField(label=_("Asker's commune or ward (optional)"), required=False, widget=forms.Select)
    language = forms.ChoiceField(label=_("Asker's language"), required=False, choices=settings.LANGUAGES)
    consent_to_publish = forms.BooleanField(
        label=_("The asker agrees that the question and answer may be published without personal data."),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Scanned letter or other files (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )
    note = forms.CharField(label=_("Internal note (optional)"), required=False, widget=_textarea(2, 5000))

    def __init__(self, *args, agencies: list[Agency], topics: list[Topic], units: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self._topics = {str(t.pk): t for t in topics}
        first = [] if len(agencies) == 1 else [("", _("Choose an agency…"))]
        self.fields["agency"].choices = first + [(str(a.pk), a.name) for a in agencies]
        self.fields["topic"].choices = [("", _("Choose a topic…"))] + [(str(t.pk), t.name) for t in topics]
        if units:
            self.fields["place"].widget.choices = [("", _("Not stated")), *places.place_choices(units)]
        else:
            del self.fields["place"]

    def service_arguments(self, files: list) -> dict:
        data = self.cleaned_data
        return {
            "agency": self._agencies.get(data.get("agency") or ""),
            "topic": self._topics.get(data.get("topic") or ""),
            "channel": data.get("channel") or "",
            "received_on": data.get("received_on"),
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "asker_type": data.get("asker_type") or "",
            "name": data.get("name", ""),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
            "address": data.get("address", ""),
            "organisation_name": data.get("organisation_name", ""),
            "tax_code": data.get("tax_code", ""),
            "language": data.get("language") or "vi",
            "consent_to_publish": bool(data.get("consent_to_publish")),
            "attachments": files,
            "note": data.get("note", ""),
            "place": data.get("place", ""),
        }


# --- Agency administration ------------------------------------------------------------------------


class MemberAddForm(StaffForm):
    email = forms.CharField(
        label=_("E-mail of the person"),
        required=False,
        help_text=_("They must already have an account on the portal."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.ANSWERER)


class MemberRoleForm(StaffForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class AgencySettingsForm(StaffForm):
    answer_deadline_days = forms.IntegerField(
        label=_("Default answer deadline (working days)"),
        required=False,
        help_text=_("Counted from the day a question is accepted; public holidays and weekends do not count."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    review_required = forms.BooleanField(
        label=_("Answers must be approved by a reviewer before they are sent"), required=False
    )


class AnswerTemplateForm(StaffForm):
    title = forms.CharField(label=_("Title"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args, topics: list[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("Every topic"))] + [(str(t.pk), t.name) for t in topics]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "topic": _int_or_none(data["topic"]),
            "body": paragraphs_to_html(data["body"]),
        }


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
