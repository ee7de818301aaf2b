from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and agencies")

    def ready(self) -> None:
        from . import emails

        emails.register()  # send-time links for the account e-mails the outbox delivers
