"""Who may follow and download an export: the person who asked for it, while they still read
the report it came from. A file nobody else can fetch, even with its address [SPEC 2.8]."""

from django.utils.translation import gettext_lazy as _

from reports.models import ExportJob

from .court_rules import RULES
from .engine import Action, ObjectRule
from .rules import COORDINATORS


class ExportRule(ObjectRule):
    model = ExportJob
    actions = {
        "view": Action("view", _("follow the export"), frozenset(), owner_field="requested_by",
                       owner_functions=COORDINATORS),
        "download": Action("download", _("download the exported file"), frozenset(), owner_field="requested_by",
                           owner_functions=COORDINATORS),
    }


RULES.update({ExportJob: ExportRule()})
