from django import forms
from django.utils.translation import gettext_lazy as _

import access
from access.mixins import VersionedFormMixin
from accounts.models import Agency, User
from accounts.review import offer_review

from .models import (
    Appeal, Asset, Case, CaseAssignment, CaseNote, Charge, CompensationClaim, CooperationRequest,
    CoordinationMeeting, Defendant, Verdict,
)
from .services import eligible_team_members

CHECKBOXES = forms.CheckboxSelectMultiple
DATE = forms.DateInput(attrs={"type": "date"})

CASE_FIELDS = [
    "title", "jurisdiction", "court", "opened_on", "origin", "investigation_type", "parallel_financial_investigation",
    "priority", "exploitation_forms", "is_transnational", "countries_of_origin", "countries_of_transit",
    "countries_of_destination", "investigation_summary",
]
CASE_WIDGETS = {
    "opened_on": DATE, "investigation_summary": forms.Textarea(attrs={"rows": 5}),
    "countries_of_origin": forms.SelectMultiple(attrs={"size": 5}),
    "countries_of_transit": forms.SelectMultiple(attrs={"size": 5}),
    "countries_of_destination": forms.SelectMultiple(attrs={"size": 5}),
}


class CaseCreateForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["reference", *CASE_FIELDS]
        widgets = CASE_WIDGETS


class CaseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = CASE_FIELDS
        widgets = CASE_WIDGETS


class MoveForm(forms.Form):
    target = forms.ChoiceField(choices=Case.Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DefendantForm(forms.ModelForm):
    class Meta:
        model = Defendant
        exclude = ["case"]
        widgets = {
            "date_of_birth": DATE, "arrested_on": DATE, "detention_started_on": DATE, "detention_limit_on": DATE,
            "foreign_prior_convictions": forms.Textarea(attrs={"rows": 2}),
            "bail_conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only victims the user may see can be named as the same person (by code, never name).
        self.fields["victim"].queryset = access.visible(user, self.fields["victim"].queryset)
        offer_review(self)


class ChargeForm(forms.ModelForm):
    class Meta:
        model = Charge
        exclude = ["defendant"]
        widgets = {"charged_on": DATE}


class VerdictForm(forms.ModelForm):
    class Meta:
        model = Verdict
        exclude = ["charge"]
        widgets = {"decided_on": DATE}


class AppealForm(forms.ModelForm):
    class Meta:
        model = Appeal
        exclude = ["verdict"]
        widgets = {"filed_on": DATE, "decided_on": DATE}


class MeetingForm(forms.ModelForm):
    class Meta:
        model = CoordinationMeeting
        fields = ["held_on", "agencies", "decisions", "next_meeting_on"]
        widgets = {"held_on": DATE, "next_meeting_on": DATE, "agencies": CHECKBOXES,
                   "decisions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(case_roles__case=case).distinct()


class CooperationRequestForm(forms.ModelForm):
    class Meta:
        model = CooperationRequest
        exclude = ["case"]
        widgets = {"sent_on": DATE, "response_due_on": DATE, "screened_on": DATE,
                   "screening_notes": forms.Textarea(attrs={"rows": 2}),
                   "refusal_reason": forms.Textarea(attrs={"rows": 2}),
                   "follow_up_notes": forms.Textarea(attrs={"rows": 2})}


class AssetForm(forms.ModelForm):
    class Meta:
        model = Asset
        exclude = ["case"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defendant"].queryset = case.defendants.all()


class CompensationClaimForm(forms.ModelForm):
    class Meta:
        model = CompensationClaim
        exclude = ["case"]
        widgets = {"decided_on": DATE}

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The case's victims the user may see: a claim is filed for someone the filer knows.
        self.fields["victim"].queryset = access.visible(user, self.fields["victim"].queryset.filter(case_links__case=case))


class NoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["scope", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class AssignmentForm(forms.Form):
    team_role = forms.ChoiceField(label=_("Function"), choices=CaseAssignment.TeamRole.choices)
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason for the change (needed when someone is replaced)"), required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # People of the agencies taking part in the case.
        self.fields["user"].queryset = eligible_team_members(case).select_related("agency")


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason"))


class ExclusionForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"))
