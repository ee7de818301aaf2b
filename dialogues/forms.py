"""Web forms of the dialogue pages: field types and labels only; the rules live in the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.collation import sorted_vi
from qa.models import Topic

from .models import AnswerKind


class AskForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    name = forms.CharField(
        label=_("Your name (shown with the question)"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail (optional, never shown)"),
        required=False,
        help_text=_("If your question is not answered live, the agency can answer it by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, max_length: int = 500, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = max_length


class RemindForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=6000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), max_length=6000, widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind"), choices=AnswerKind.choices, required=False)
    panelist = forms.IntegerField(label=_("Panelist"), required=False)


class VideoForm(forms.Form):
    video_url = forms.CharField(label=_("Video address"), max_length=500, required=False)


class AnnouncementForm(forms.Form):
    text = forms.CharField(label=_("Announcement"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("Photo (JPEG or PNG, optional)"), required=False)
    photo_alt = forms.CharField(label=_("Describe the photo"), max_length=200, required=False)


class ForwardForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.filter(is_active=True), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown in Vietnamese alphabetical order; the queryset still checks what is posted.
        topics = sorted_vi(self.fields["topic"].queryset)
        self.fields["topic"].choices = [("", self.fields["topic"].empty_label), *((t.pk, t.name) for t in topics)]


class ReorderForm(forms.Form):
    order = forms.CharField(required=True)

    def clean_order(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Invalid order.")) from None
