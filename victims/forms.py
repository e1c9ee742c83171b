"""Forms for the victim pages. The pseudonymous record and the identity are separate forms,
as they are separate records; what a form offers depends on what the policy lets the user do."""

from django import forms
from django.utils.translation import gettext_lazy as _

import access
from accounts.functions import AgencyKind, Function
from accounts.models import Agency, Jurisdiction
from accounts.review import offer_review
from cases.models import Case

from .models import (
    AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest,
    Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision, Victim, VictimCaseLink, VictimIdentity,
)
from .models.justice import RELATED_OFFENCES
# The identity's fields by the right they need, listed once for the forms, the API and reveal_identity.
from .models.record import IDENTITY_FIELDS, SHELTER_FIELDS
from .models.vocabularies import DecidingOrganisation
from .services import LADDER, REASONS_REQUIRED, deciding_organisation_of, next_statuses

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})
PHONE = forms.TextInput(attrs={"type": "tel"})

RECORD_FIELDS = [
    "sex", "age_group", "estimated_age", "nationality", "languages", "interpreter_needed", "identification_channel",
    "indicators", "exploitation_forms", "sex_exploitation_types", "forced_labour_industries", "methods_of_control",
    "recruitment", "recruitment_lures", "recruitment_country", "recruitment_place", "exploitation_country",
    "exploitation_place", "has_accompanying_adult",
]


class VersionField(forms.IntegerField):
    """The version of the victim the form was loaded at: a stale edit is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)


class VictimForm(forms.ModelForm):
    """The pseudonymous record: safe to show wherever the victim is shown."""

    class Meta:
        model = Victim
        fields = RECORD_FIELDS
        widgets = {"languages": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        offer_review(self)


class IdentityForm(forms.ModelForm):
    """The identity record; the mailing address and the shelter location only for the
    supporting NGO ("view_shelter") [SPEC 2.3]: for anyone else they are not in the form, so
    neither shown nor changed."""

    class Meta:
        model = VictimIdentity
        fields = [*IDENTITY_FIELDS, *SHELTER_FIELDS]
        widgets = {"date_of_birth": DATE, "home_phone": PHONE, "mobile_phone": PHONE,
                   "mailing_street": forms.Textarea(attrs={"rows": 2}),
                   "shelter_location": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, shelter=False, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not shelter:
            for name in SHELTER_FIELDS:
                del self.fields[name]
        if version is not None:
            self.fields["version"] = VersionField(initial=version)


def ngo_agencies():
    return Agency.objects.filter(kind=AgencyKind.NGO, is_active=True)


class RecordVictimForm(VictimForm):
    """First contact: the pseudonymous record, the identity, who supports the victim and
    whether they consented to their data being processed."""

    status = forms.ChoiceField(
        label=_("status"), choices=[(s.value, s.label) for s in LADDER[:2]], initial=Victim.Status.PRESUMED,
        help_text=_("Presumed as soon as there are reasonable grounds: support starts then. Formal identification "
                    "is recorded later, with the deciding authority."),
    )
    supporting_agency = forms.ModelChoiceField(
        label=_("supporting agency"), queryset=Agency.objects.none(), required=False,
        help_text=_("The victim service provider supporting this person. It sees the identity and the shelter "
                    "location."),
    )
    consent_to_processing = forms.BooleanField(
        label=_("The victim consents to the processing of their personal data"), required=False,
    )
    consent_informed = forms.BooleanField(
        label=_("The victim was told what this means, in a language they understand"), required=False,
    )

    class Meta(VictimForm.Meta):
        fields = ["status", *RECORD_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporting_agency"].queryset = ngo_agencies()
        if user.has_function(Function.CASEWORKER) and user.agency and user.agency.kind == AgencyKind.NGO:
            self.fields["supporting_agency"].initial = user.agency_id
        # The identity goes into its own record: its fields follow the pseudonymous ones.
        identity = IdentityForm(shelter=user.has_function(Function.CASEWORKER)).fields
        for name, field in identity.items():
            self.fields[f"identity_{name}"] = field
        order = ["status", *RECORD_FIELDS, *(f"identity_{n}" for n in identity), "supporting_agency",
                 "consent_to_processing", "consent_informed"]
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_to_processing") and not cleaned.get("consent_informed"):
            self.add_error("consent_informed", _("Consent counts only if the victim was told what it means."))
        return cleaned

    def groups(self):
        """The fields in three boxes: the pseudonymous record, the identity, support and consent."""
        record, identity, support = [], [], []
        for field in self.visible_fields():
            if field.name.startswith("identity_"):
                identity.append(field)
            elif field.name == "supporting_agency" or field.name.startswith("consent_"):
                support.append(field)
            else:
                record.append(field)
        return [(_("Pseudonymous record"), record), (_("Identity (protected)"), identity),
                (_("Support and consent"), support)]

    def identity_data(self):
        prefix = "identity_"
        return {name[len(prefix):]: value for name, value in self.cleaned_data.items() if name.startswith(prefix)}

    def record_data(self):
        return {name: self.cleaned_data[name] for name in ["status", *RECORD_FIELDS]}


class StatusForm(forms.ModelForm):
    class Meta:
        model = StatusDecision
        fields = ["status", "decided_on", "authority", "deciding_organisation", "criteria", "channel"]
        widgets = {"decided_on": DATE, "criteria": TEXT}

    def __init__(self, *args, victim, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the decision takes the kind of the recording agency (victims.services).
        self.fields["deciding_organisation"].required = False
        if user is not None and not self.is_bound:
            self.initial.setdefault("deciding_organisation", deciding_organisation_of(user))
        self.fields["status"].choices = [(s.value, s.label) for s in next_statuses(victim.status)]


class ProtectionChoices(forms.CheckboxSelectMultiple):
    """Checkboxes whose options the actor may not tick are shown, disabled (another agency's
    support: only that agency ends it)."""

    def __init__(self, *args, disabled=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled = set(disabled)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled:
            option["attrs"]["disabled"] = True
        return option


class NotAVictimForm(forms.Form):
    """The decision "not a victim of trafficking": who decided, when, why, and which of the
    protections in force it ends (victims.services.decide_not_a_victim). Nothing is recorded
    until the summary has been confirmed."""

    version = VersionField()
    decided_on = forms.DateField(label=_("decided on"), required=False, widget=DATE,
                                 help_text=_("Left empty: today. Protections ticked below end on this date."))
    authority = forms.CharField(label=_("deciding authority"), max_length=200)
    deciding_organisation = forms.ChoiceField(
        label=_("kind of deciding organisation"), choices=[("", "—"), *DecidingOrganisation.choices], required=False)
    reasons = forms.CharField(label=_("reasons for the decision"), widget=TEXT,
                              error_messages={"required": REASONS_REQUIRED})
    end_protections = forms.MultipleChoiceField(
        label=_("protections this decision ends"), required=False,
        help_text=_("Only those ticked end, on the decision date. Whatever is not ticked stays in force."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked what this decision ends and what stays in force, and want to record it"),
        required=False, widget=forms.HiddenInput)

    def __init__(self, *args, victim, user, protections, **kwargs):
        super().__init__(*args, **kwargs)
        self.protections = protections
        self.fields["version"].initial = victim.version
        if not self.is_bound:
            self.initial.setdefault("deciding_organisation", deciding_organisation_of(user))
        field = self.fields["end_protections"]
        field.widget = ProtectionChoices(disabled=[p.key for p in protections if not p.may_end(user)])
        field.choices = [(p.key, p.label) for p in protections]  # after the widget: it takes them
        if not protections:
            field.help_text = _("Nothing the status opened is in force for this victim.")

    def ask_confirmation(self):
        """After a first valid submission: show the confirmation box."""
        self.fields["confirm"].widget = forms.CheckboxInput()

    def chosen(self):
        keys = set(self.cleaned_data.get("end_protections") or ())
        return ([p for p in self.protections if p.key in keys], [p for p in self.protections if p.key not in keys])


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "agency", "given_on", "informed"]
        widgets = {"given_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Informed consent and a named agency for sharing are the model's own constraints.
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(label=_("withdrawal note"), max_length=300, required=False)


class AssistanceServiceForm(forms.ModelForm):
    class Meta:
        model = AssistanceService
        fields = ["kind", "provider", "started_on", "ended_on", "notes"]
        widgets = {"started_on": DATE, "ended_on": DATE, "notes": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Agency.objects.filter(is_active=True)


class CooperationForm(forms.ModelForm):
    class Meta:
        model = CooperationWithAuthorities
        fields = ["status", "since", "notes"]
        widgets = {"since": DATE, "notes": TEXT}


class IdentityDocumentForm(forms.ModelForm):
    class Meta:
        model = IdentityDocument
        fields = ["kind", "number", "issuing_country", "held_by", "notes"]


class ReflectionPeriodForm(forms.ModelForm):
    class Meta:
        model = ReflectionPeriod
        fields = ["jurisdiction", "started_on", "granted_by"]
        widgets = {"started_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.all()
        self.fields["jurisdiction"].help_text = _("Its length is this jurisdiction's setting.")


class ResidencePermitForm(forms.ModelForm):
    class Meta:
        model = ResidencePermit
        fields = ["kind", "status", "applied_on", "issued_on", "expires_on", "renewal_of"]
        widgets = {"applied_on": DATE, "issued_on": DATE, "expires_on": DATE}

    def __init__(self, *args, victim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["renewal_of"].queryset = victim.residence_permits.exclude(pk=self.instance.pk)


class AsylumClaimForm(forms.ModelForm):
    class Meta:
        model = AsylumClaim
        fields = ["filed_on", "status", "decided_on"]
        widgets = {"filed_on": DATE, "decided_on": DATE}


class ReturnForm(forms.ModelForm):
    class Meta:
        model = Return
        fields = ["destination", "returned_on", "voluntary", "risk_assessment", "non_refoulement_checked",
                  "non_refoulement_notes", "receiving_organisation"]
        widgets = {"returned_on": DATE, "non_refoulement_notes": TEXT}

    def __init__(self, *args, victim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_assessment"].queryset = victim.risk_assessments.filter(completed=True)
        self.fields["risk_assessment"].help_text = _("A completed assessment of this victim.")


class RiskAssessmentForm(forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["assessed_on", "level", "threats_to_victim", "threats_to_relatives",
                  "limits_of_protection_explained", "completed"]
        widgets = {"assessed_on": DATE, "threats_to_victim": TEXT, "threats_to_relatives": TEXT}


class SafetyPlanForm(forms.ModelForm):
    class Meta:
        model = SafetyPlan
        fields = ["risk_assessment", "measures", "agreed_on", "review_on"]
        widgets = {"agreed_on": DATE, "review_on": DATE, "measures": TEXT}

    def __init__(self, *args, victim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_assessment"].queryset = victim.risk_assessments.all()


class ProtectedRelativeForm(forms.ModelForm):
    class Meta:
        model = ProtectedRelative
        fields = ["name", "relationship", "country", "threat", "protection_measures"]
        widgets = {"threat": TEXT, "protection_measures": TEXT}


class DefendantChoiceField(forms.ModelChoiceField):
    # The defendant is the victim: name the case and the charges, not the person.
    def label_from_instance(self, defendant):
        offences = ", ".join(charge.get_offence_display() for charge in defendant.charges.all()
                             if charge.offence in RELATED_OFFENCES)
        return f"{defendant.case.reference}: {offences or _('no related charge')}"


class NonPunishmentDecisionForm(forms.ModelForm):
    defendant = DefendantChoiceField(label=_("charged as"), queryset=None)

    class Meta:
        model = NonPunishmentDecision
        fields = ["defendant", "outcome", "decided_on", "authority", "reasoning"]
        widgets = {"decided_on": DATE, "reasoning": TEXT}

    def __init__(self, *args, defendants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defendant"].queryset = defendants


class DetentionForm(forms.ModelForm):
    review_dates = forms.CharField(
        label=_("judicial review dates"), required=False,
        help_text=_("Dates as YYYY-MM-DD, separated by commas."),
    )

    class Meta:
        model = Detention
        fields = ["place", "started_on", "ended_on", "authority", "legal_basis", "necessity_reasoning",
                  "court_order", "last_resort_reasoning", "review_dates"]
        widgets = {"started_on": DATE, "ended_on": DATE, "necessity_reasoning": TEXT, "last_resort_reasoning": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["review_dates"] = ", ".join(d.isoformat() for d in self.instance.review_dates)

    def clean_review_dates(self):
        field = forms.DateField()
        parts = [part.strip() for part in self.cleaned_data["review_dates"].split(",") if part.strip()]
        return sorted(field.clean(part) for part in parts)


class ParticipationForm(forms.ModelForm):
    class Meta:
        model = ParticipationEntry
        fields = ["kind", "case", "stage", "notice_about", "on", "channel", "summary"]
        widgets = {"on": DATE, "summary": TEXT}

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases


class DataSubjectRequestForm(forms.ModelForm):
    class Meta:
        model = DataSubjectRequest
        fields = ["kind", "consent", "received_on", "details", "status", "handled_on", "outcome"]
        widgets = {"received_on": DATE, "handled_on": DATE, "details": TEXT, "outcome": TEXT}

    def __init__(self, *args, victim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = victim.consents.select_related("agency")


class CounsellingNoteForm(forms.ModelForm):
    class Meta:
        model = CounsellingNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


def visible_linked_cases(user, victim):
    return access.visible(user, Case.objects.filter(victim_links__victim=victim))


class CaseLinkForm(forms.Form):
    """Link the victim to a case the user may edit, with the victim's role in it."""

    case = forms.ModelChoiceField(label=_("case"), queryset=Case.objects.none())
    role = forms.ChoiceField(label=_("role in case"), choices=VictimCaseLink.Role.choices)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases


class SupportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("supporting agency"), queryset=Agency.objects.none(),
        help_text=_("It will see the victim record, the identity and the shelter location."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = ngo_agencies()


class ConfirmForm(forms.Form):
    """A change with nothing to fill in: the button is the confirmation."""
