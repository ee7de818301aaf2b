from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from .indexes import ensure_overdue_index

        # After qa's own post_migrate (stats comes later in INSTALLED_APPS), which may rebuild qa_question.deadline.
        post_migrate.connect(ensure_overdue_index, sender=self, dispatch_uid="stats.indexes.overdue")
