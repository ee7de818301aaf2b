"""Account forms: they shape input and show errors; the rules live in accounts.services."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import phone_error


class PhoneField(forms.CharField):
    """Optional Vietnamese phone number, checked by the same rule as the services."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Phone (optional)"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if message := phone_error(value):
            raise forms.ValidationError(message, code="invalid_phone")


def _language_choices() -> list[tuple[str, str]]:
    # Each language named in itself, as the header switcher does.
    names = {"vi": "Tiếng Việt", "en": "English"}
    return [(code, names.get(code, str(name))) for code, name in settings.LANGUAGES]


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to this address to verify it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = PhoneField()
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password again, to avoid typing mistakes."),
    )

    # The service reports password problems under "password"; this form shows them on the first box.
    service_field_map = {"password": "password1"}

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and cleaned.get("password2") and password != cleaned["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        if password:
            # The service checks again; checking here too shows every problem in one round trip.
            candidate = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = PhoneField()
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=_language_choices,
        help_text=_("Pages and e-mails use this language once you are logged in."),
    )

    @classmethod
    def for_user(cls, user: User) -> "ProfileForm":
        return cls(initial={"full_name": user.full_name, "phone": user.phone, "language": user.language})


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form; only the field ids are prefixed so it can sit on the profile page next to other forms."""

    prefix = "pw"


class PasswordResetForm(forms.Form):
    """Only the address: the service decides whether and what to send (Django's form would send itself)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class OTPCodeForm(forms.Form):
    """The second step: a code from the authenticator app, or one of the backup codes."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("A code from your authenticator app, or a backup code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )
