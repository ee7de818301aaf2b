from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import outbox

        from .services import queue_email

        # Apps below this one (accounts) queue e-mails through core.outbox without importing it.
        outbox.register_queue(queue_email)
