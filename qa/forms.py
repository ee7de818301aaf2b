"""Web forms of the citizen pages.

The forms only parse and render: the rules (required fields, lengths, phone, tax
code, attachments) live in qa.services and come back as ValidationError, which
the views attach to these fields so the page shows them next to the input.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from core.forms import add_service_errors
from core.i18n import lazy_format

from .models import AskerType, Topic
from .places import place_choices
from .services.submission import BODY_MAX, TITLE_MAX

ACCEPTED_UPLOADS = ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png"
# Shown under every upload field (citizen, asker and staff forms).
FILES_HELP = lazy_format(
    _("Up to %(count)d files: PDF, JPEG, PNG or DOCX, at most %(size)d MB each."),
    count=settings.QA_MAX_ATTACHMENTS,
    size=settings.QA_MAX_ATTACHMENT_BYTES // (1024 * 1024),
)


def agency_choices(agencies: list[Agency]) -> list:
    """Options for an agency <select>: each top-level agency with children becomes an <optgroup>.

    The parent itself is the group's first option (people ask a committee directly too);
    deeper levels are indented so the tree stays readable without JavaScript.
    """
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    known = {a.pk for a in agencies}
    # An active agency under an inactive parent is shown as a root of its own.
    roots = [a for a in agencies if a.parent_id is None or a.parent_id not in known]

    def descendants(agency: Agency, depth: int) -> list[tuple[str, str]]:
        rows = []
        for child in children.get(agency.pk, []):
            rows.append((str(child.pk), "\u2003" * depth + child.name))
            rows.extend(descendants(child, depth + 1))
        return rows

    choices: list = []
    for root in roots:
        below = descendants(root, 1)
        if below:
            choices.append((root.name, [(str(root.pk), root.name), *below]))
        else:
            choices.append((str(root.pk), root.name))
    return choices


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Hands every chosen file on as a list; count, size and type are the service's checks."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


class AskForm(forms.Form):
    """The "ask a question" form; see AskForm.service_arguments for what the service receives."""

    # Plain text fields with a <select>: an unknown id reaches the service, which words the error.
    agency = forms.CharField(label=_("Agency"), required=False, widget=forms.Select)
    topic = forms.CharField(label=_("Topic"), required=False, widget=forms.Select)
    title = forms.CharField(
        label=_("Title of your question"),
        required=False,
        strip=False,
        help_text=lazy_format(_("A short summary, at most %(max)d characters."), max=TITLE_MAX),
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off", "data-counter": TITLE_MAX}),
    )
    body = forms.CharField(
        label=_("Your question"),
        required=False,
        strip=False,
        help_text=lazy_format(
            _(
                "Describe your situation and what you want to know, at most %(max)d characters. "
                "Do not write personal data you do not want the agency to see."
            ),
            max=BODY_MAX,
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX, "data-counter": BODY_MAX}),
    )
    asker_type = forms.CharField(
        label=_("You ask as"),
        required=False,
        initial=AskerType.INDIVIDUAL,
        widget=forms.RadioSelect(choices=AskerType.choices),
    )
    organisation_name = forms.CharField(
        label=_("Name of the organisation or business"),
        required=False,
        help_text=_("Only when you ask on behalf of an organisation or business."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_code = forms.CharField(
        label=_("Tax code"),
        required=False,
        help_text=_("Only for organisations: 10 digits, or 10 digits, a dash and 3 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Full name"), required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        help_text=_(
            "We send the confirmation link, your tracking link and the answer to this address. "
            "No e-mail? Leave it empty and give your mobile number: we send them by SMS."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        help_text=_("Optional with an e-mail address. Without one, we send a confirmation code to this number."),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label=_("Address (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    # A plain text field with a <select> (units grouped by province): an unknown code reaches the service.
    place = forms.CharField(
        label=_("Commune or ward where you live (optional)"),
        required=False,
        help_text=_("Only the agency sees it; the statistics count questions by place without naming anyone."),
        widget=forms.Select,
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=FILES_HELP,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )
    consent_to_publish = forms.BooleanField(
        label=_(
            "I agree that my question and its answer may be published in the public archive, "
            "with my name and contact details removed."
        ),
        help_text=_("If you do not agree, the answer is sent to you only."),
        required=False,
    )
    # Honeypot: hidden from people by CSS and from assistive technology by aria-hidden; bots fill it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, agencies: list[Agency], topics: list[Topic], places: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self._topics = {str(t.pk): t for t in topics}
        self.fields["agency"].widget.choices = [("", _("Choose an agency…")), *agency_choices(agencies)]
        self.fields["topic"].widget.choices = [("", _("Choose a topic…"))] + [(str(t.pk), t.name) for t in topics]
        if places:
            self.fields["place"].widget.choices = [("", _("Not stated")), *place_choices(places)]
        else:  # no unit imported yet: nothing to choose
            del self.fields["place"]

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website", "").strip())

    def service_arguments(self, files: list) -> dict:
        """Keyword arguments for qa.services.question_submit (call after is_valid())."""
        data = self.cleaned_data
        return {
            "agency": self._agencies.get(data.get("agency") or ""),
            "topic": self._topics.get(data.get("topic") or ""),
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "asker_type": data.get("asker_type") or "",
            "name": data.get("name", ""),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
            "address": data.get("address", ""),
            "organisation_name": data.get("organisation_name", ""),
            "tax_code": data.get("tax_code", ""),
            "consent_to_publish": bool(data.get("consent_to_publish")),
            "attachments": files,
            "place": data.get("place", ""),
        }

    def add_service_errors(self, error_dict: dict[str, list]) -> None:
        """Put a service's {field: [messages]} on the form; unknown fields go to the top (core.forms)."""
        add_service_errors(self, error_dict)


class WithdrawForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why do you withdraw it? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class LostLinkForm(forms.Form):
    # One box for either: people who asked with a mobile number get their links by SMS.
    email = forms.CharField(
        label=_("E-mail or mobile number"),
        required=False,
        help_text=_("The address or the mobile number you gave when you asked."),
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class HelpfulVoteForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])


SORT_RELEVANCE = "relevance"


class ArchiveFilterForm(forms.Form):
    """GET filters of the archive; an invalid value is reported and ignored, never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    date_from = forms.DateField(
        label=_("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Relevance (when searching)")),
            ("newest", _("Newest")),
            ("views", _("Most viewed")),
            ("helpful", _("Most helpful")),
        ],
    )

    def __init__(self, *args, agencies: list[Agency], topics: list[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {a.slug: a for a in agencies}
        self._topics = {t.slug: t for t in topics}
        by_pk = {str(a.pk): a.slug for a in agencies}

        def to_slugs(choices):
            out = []
            for value, label in choices:
                if isinstance(label, list):
                    out.append((value, to_slugs(label)))
                else:
                    out.append((by_pk[value], label))
            return out

        self.fields["agency"].choices = [("", _("All agencies")), *to_slugs(agency_choices(agencies))]
        self.fields["topic"].choices = [("", _("All topics"))] + [(t.slug, t.name) for t in topics]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def archive_arguments(self) -> dict:
        """Keyword arguments for qa.selectors.archive from the valid part of the filters."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        search = (data.get("q") or "").strip()
        sort = data.get("sort") or (SORT_RELEVANCE if search else "newest")
        if sort == SORT_RELEVANCE and not search:
            sort = "newest"
        return {
            "search": search,
            "agency": self._agencies.get(data.get("agency") or ""),
            "topic": self._topics.get(data.get("topic") or ""),
            "date_from": data.get("date_from") if "date_to" not in self.errors else None,
            "date_to": data.get("date_to") if "date_to" not in self.errors else None,
            "ordering": sort,
        }
