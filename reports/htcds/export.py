"""The HTCDS export: one row per victim whose identity the exporter may see [SPEC 2.3, 2.9].

Like every report it is a query of named columns (reports/tables.py), here over the victims
the access policy lets the user see the identity of, in one statement: identity columns join
the identity table; the address parts are emptied in SQL, row by row, where the policy does not
let the user see the shelter location; the linked cases are only those the user may see, so a
restricted case's reference never reaches a file through its victims.
"""

import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Case as When_, Exists, F, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from cases.models import Case
from referrals.models import Referral
from victims.models import Consent, StatusDecision, Victim, VictimCaseLink, VictimSupport
from victims.models import HTCDS_TRAFFICKING_STATUS

from ..tables import DATE, INT, Column, Report, Section, Table
from . import fields
from .fields import FIELDS, TWINS

CLOSED_STAGES = (Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE)
STAGE_LABELS = dict(Case.Stage.choices)


def _latest_referral(user, **direction):
    """The latest referral of the victim in one direction of the user's agency, as one JSON value."""
    referrals = access.visible(user, Referral).filter(victim=OuterRef("pk"), **direction).order_by("-sent_at", "-pk")
    return Subquery(referrals.values(json=JSONObject(
        organisation=F("from_agency__name") if "to_agency" in direction else F("to_agency__name"),
        sent_at=F("sent_at"), reason=F("reason")))[:1])


def victims(user):
    """The victims in the export, annotated with a value per column (named as the column)."""
    queryset = access.with_permissions(user, Victim, "view_shelter", action="view_identity")
    cases = access.visible(user, Case).values("pk")
    links = VictimCaseLink.objects.filter(victim=OuterRef("pk"), case__in=cases).order_by().values("victim")
    open_support = VictimSupport.objects.filter(victim=OuterRef("pk"), ended_on__isnull=True)
    identity = {}
    for field in FIELDS:
        if field.target and field.target[0] == "identity":
            source = F(f"identity__{field.target[1]}")
            identity[field.name] = When_(When(Q(may_view_shelter=True), then=source), default=Value(""),
                                         output_field=TextField()) \
                if field.shelter else source
    agency = user.agency_id or 0
    return queryset.annotate(
        **identity,
        decided_by=Subquery(StatusDecision.objects.filter(victim=OuterRef("pk")).order_by("-decided_on", "-pk")
                            .values("deciding_organisation")[:1]),
        linked_cases=Subquery(links.annotate(all=ArrayAgg(
            Concat("case__reference", Value("\u001f"), "role", output_field=TextField()), order_by="case__reference")).values("all")),
        closed_cases=Subquery(links.filter(case__stage__in=CLOSED_STAGES).annotate(all=ArrayAgg(
            Concat("case__reference", Value("\u001f"), "case__stage", output_field=TextField()), order_by="case__reference")).values("all")),
        has_open_case=Exists(links.exclude(case__stage__in=CLOSED_STAGES)),
        has_case=Exists(links),
        has_open_support=Exists(open_support),
        cas_Status=When_(When(Q(has_case=True, has_open_case=False, has_open_support=False), then=Value("Closed")),
                         default=Value("Active")),
        consented=Exists(Consent.objects.filter(victim=OuterRef("pk"), purpose=Consent.Purpose.DATA_PROCESSING,
                                                withdrawn_on__isnull=True)),
        incoming=_latest_referral(user, to_agency_id=agency),
        outgoing=_latest_referral(user, from_agency_id=agency),
    ).order_by("created_at", "pk")


def _pairs(values):
    return [tuple(value.split("\u001f", 1)) for value in values or ()]


def _referral(key):
    def cell(raw):
        value = (raw or {}).get(key)
        if key == "sent_at" and value:
            return timezone.localtime(datetime.datetime.fromisoformat(value)).date()
        return value or ""
    return cell


# Each column: what the query selects for it and how that becomes the cell.
SOURCES = {
    "prs_Gender": ("sex", str),
    "prs_PrimaryLanguage": ("languages", lambda codes: codes[0] if codes else ""),
    "prs_SecondaryLanguage": ("languages", lambda codes: codes[1] if len(codes or ()) > 1 else ""),
    "prs_Citizenship": ("nationality", str),
    "vic_TraffickingStatus": ("status", lambda status: HTCDS_TRAFFICKING_STATUS[status]),
    "vic_TraffickingStatusDecisionMakingOrg": ("decided_by", lambda code: code or ""),
    "vic_MethodOfRecruitment": ("recruitment", fields.joined),
    "vic_LocationOfRecruitment": ("recruitment_place", str),
    **{name: (attribute, lambda codes, vocabulary=vocabulary: fields.joined(fields.as_standard(vocabulary, codes)))
       for name, (_twin, vocabulary, attribute) in TWINS.items()},
    **{twin: (attribute, fields.joined) for _name, (twin, _vocabulary, attribute) in TWINS.items()},
    "vic_ForcedLabourIndustry": ("forced_labour_industries", fields.joined),
    "vic_TypeOfSexExploitation": ("sex_exploitation_types", fields.joined),
    "vic_LocationOfExploitation": ("exploitation_place", str),
    "cas_Status": ("cas_Status", str),
    "cas_ReasonForCaseClosure": ("closed_cases", lambda values: "; ".join(
        f"{reference}: {STAGE_LABELS[stage]}" for reference, stage in _pairs(values))),
    "cas_ReferringOrganisation": ("incoming", _referral("organisation")),
    "cas_IncomingReferralDate": ("incoming", _referral("sent_at")),
    "cas_ReasonForIncomingReferral": ("incoming", _referral("reason")),
    "cas_ReferredOrganisation": ("outgoing", _referral("organisation")),
    "cas_ReasonForOutgoingReferral": ("outgoing", _referral("reason")),
    "cas_OutgoingReferralDate": ("outgoing", _referral("sent_at")),
    "con_Consent": ("consented", fields.boolean),
    "tip_VictimCode": ("code", str),
    "tip_TraffickingStatus": ("status", str),
    "tip_AgeGroup": ("age_group", str),
    "tip_EstimatedAge": ("estimated_age", None),
    "tip_Languages": ("languages", fields.joined),
    "tip_InterpreterNeeded": ("interpreter_needed", fields.boolean),
    "tip_IdentificationChannel": ("identification_channel", str),
    "tip_Indicators": ("indicators", fields.joined),
    "tip_RecruitmentLures": ("recruitment_lures", fields.joined),
    "tip_RecruitmentCountry": ("recruitment_country", str),
    "tip_ExploitationCountry": ("exploitation_country", str),
    "tip_AccompanyingAdultPresent": ("has_accompanying_adult", fields.boolean),
    "tip_CaseLinks": ("linked_cases", lambda values: fields.case_links(_pairs(values))),
}


def columns():
    """The table's columns, in FIELDS' order: each selects a distinct name, so a query value
    read by several columns (the languages) is selected under each column's own name."""
    made, selects = [], {}
    for field in FIELDS:
        if field.target and field.target[0] == "identity":
            kind = DATE if field.kind == fields.DATE else "text"
            made.append(Column(field.name, field.name, kind,
                               format=None if kind == DATE else (lambda raw: "" if raw is None else str(raw))))
            continue
        source, cell = SOURCES[field.name]
        if source != field.name:
            selects[field.name] = F(source)
        kind = DATE if field.kind == fields.DATE else INT if field.kind == fields.INT else "text"
        made.append(Column(field.name, field.name, kind, format=None if cell is None else
                           (lambda raw, cell=cell: "" if raw is None and cell is str else cell(raw))))
    return made, selects


def build(user, filters):
    """The export as a report of one table (for reports/exports/jobs.py, which has asked the
    policy whether the user may export it); nothing evaluated. No filters: `filters` is {}."""
    made, selects = columns()
    queryset = victims(user).annotate(**selects)
    now = timezone.now()
    table = Table(key="htcds", title=_("Victims (HTCDS 2.0)"), columns=made, queryset=queryset,
                  note=_("One row per victim whose identity you may see; address only where you may see the "
                         "shelter location; cases only those you may see."))
    return Report(
        key="htcds", title=_("HTCDS victim records"),
        classification=_("Contains victims' identities: handle under the rules for personal data of victims"),
        filters=[(_("Victims"), _("every victim whose identity you may see"))],
        generated_by=user.get_full_name() or user.username, generated_at=now,
        sections=[Section(_("Victims (HTCDS 2.0)"), [table])],
        interchange=True, reveals_identity_of=queryset.values_list("pk", "code"),
    )
