"""Forms of the asker's actions on the tracking page: reply to a request, rate the answer, ask a follow-up.

They parse only; the services word the rules (required text, lengths, files).
The tracking token travels in a hidden field so the forms work without cookies.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import lazy_format

from .forms import ACCEPTED_UPLOADS, FILES_HELP, MultipleFileField, MultipleFileInput
from .services.asker import RATING_COMMENT_MAX, REPLY_MAX
from .services.submission import BODY_MAX, TITLE_MAX
from .staff.forms import ServiceErrorsMixin


class TokenForm(ServiceErrorsMixin, forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class ReplyForm(TokenForm):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        strip=False,
        help_text=lazy_format(
            _("Give the information the agency asked for, at most %(max)d characters."), max=REPLY_MAX
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": REPLY_MAX, "data-counter": REPLY_MAX}),
    )
    attachments = MultipleFileField(
        label=_("Attach documents (optional)"),
        required=False,
        help_text=FILES_HELP,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )


class RatingForm(TokenForm):
    satisfied = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"),
        required=False,
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment for the agency (optional)"),
        required=False,
        help_text=lazy_format(_("Not published. At most %(max)d characters."), max=RATING_COMMENT_MAX),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": RATING_COMMENT_MAX, "data-counter": RATING_COMMENT_MAX}),
    )

    def clean_satisfied(self):
        value = self.cleaned_data.get("satisfied")
        if value not in ("yes", "no"):
            raise forms.ValidationError(_("Choose whether you are satisfied."))
        return value == "yes"


class FollowUpForm(TokenForm):
    title = forms.CharField(
        label=_("Title of your follow-up question"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "data-counter": TITLE_MAX}),
    )
    body = forms.CharField(
        label=_("Your follow-up question"),
        required=False,
        strip=False,
        help_text=lazy_format(_("What is still unclear after the answer, at most %(max)d characters."), max=BODY_MAX),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX, "data-counter": BODY_MAX}),
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
        required=False,
    )
