"""Who may follow and download an export or follow an import: the person who asked for it, while
their function still lets them read what it holds (coordination reports: focal points and
supervisors; HTCDS files, which hold identities: those who may see some). A file nobody
else can fetch, even with its address [SPEC 2.8]; reports.exports.jobs asks, per report, whether
its owner may still have it. Registered in ReportsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from access.engine import Action, ObjectRule
from access.registry import Capability
from accounts.functions import Function as F
from access.functions import COORDINATORS, IDENTITY_READERS, RECORDERS

from .models import ExportJob

# Those who see identities: by function, or (front line) of the victims they recorded.
OWNERS = COORDINATORS | IDENTITY_READERS | RECORDERS


class ExportRule(ObjectRule):
    model = ExportJob
    actions = {
        "view": Action("view", _("follow the export"), frozenset(), owner_field="requested_by",
                       owner_functions=OWNERS),
        "download": Action("download", _("download the exported file"), frozenset(), owner_field="requested_by",
                           owner_functions=OWNERS),
    }


RULES = (ExportRule(),)
CAPABILITIES = (
    # The continuity dashboards [SPEC 2.8]: a prosecutor's own cases, a supervisor's office.
    Capability("see_prosecutor_dashboard", _("follow your cases on the prosecutor dashboard"), {F.PROSECUTOR}),
    Capability("see_supervisor_dashboard", _("supervise your office's cases"), {F.SUPERVISOR}),
)
