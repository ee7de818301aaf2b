from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = _("Questions and answers")

    def ready(self) -> None:
        from .status_schema import check_status_columns, sync_after_migrate

        # The generated columns follow qa.status.STATUS_TABLE: rebuilt on migrate when they differ from it.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="qa.status_schema.sync")
        checks.register(check_status_columns, checks.Tags.database)
