from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgchangesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgchanges"
    verbose_name = _("Reorganisation of agencies")
