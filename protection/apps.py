from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("Protection orders")

    def ready(self):
        from access import register

        from . import access as rules

        register(*rules.RULES)
