"""Forms for protection orders and their violations. What a form offers depends on what the
policy lets the user see: the restrained defendant only to those who see the case's
proceedings, the protected relatives (their names identify) only to those who see the
victim's identity. The services decide and validate; the forms only collect."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import access
from accounts.functions import AgencyKind
from accounts.models import Agency
from cases.models import Defendant

from .models import ProtectionOrder, Violation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


class VersionField(forms.IntegerField):
    """The version of the order the form was loaded at: a stale change is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)


class RelativeChoiceField(forms.ModelMultipleChoiceField):
    """The victim's protected relatives, by name (only offered to those who may read names)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, relative):
        return f"{relative.name} ({relative.relationship})"


def in_a_court(user):
    return bool(user.agency_id and user.agency.kind == AgencyKind.COURT)


def issuing_courts(user):
    """Court staff record the orders of their own court; police and prosecution any court's."""
    courts = Agency.objects.filter(kind=AgencyKind.COURT, is_active=True).order_by("name")
    return courts.filter(pk=user.agency_id) if in_a_court(user) else courts


class OrderForm(forms.ModelForm):
    """Record an order the court issued, for the victim (and case) given by the page."""

    class Meta:
        model = ProtectionOrder
        fields = ["kind", "issuing_court", "court_reference", "issued_on", "effective_from", "expires_on",
                  "next_review_on", "conditions", "restrained_defendant", "protected_relatives"]
        widgets = {"issued_on": DATE, "effective_from": DATE, "expires_on": DATE, "next_review_on": DATE,
                   "conditions": TEXT}
        field_classes = {"protected_relatives": RelativeChoiceField}

    def __init__(self, *args, user, victim, case=None, show_defendants=False, show_relatives=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.victim, self.instance.case = victim, case
        self.fields["issuing_court"].queryset = issuing_courts(user)
        if in_a_court(user):
            self.fields["issuing_court"].empty_label = None
        if case is not None and show_defendants:
            self.fields["restrained_defendant"].queryset = access.visible(
                user, Defendant.objects.filter(case=case).exclude(victim=victim)).order_by("name")
            self.fields["restrained_defendant"].help_text = _("A defendant of %(case)s.") % {"case": case.reference}
        else:
            del self.fields["restrained_defendant"]
        if show_relatives:
            self.fields["protected_relatives"].queryset = victim.protected_relatives.all()
            self.fields["protected_relatives"].help_text = _("Relatives the order protects too, among the victim's "
                                                             "protected relatives.")
        else:
            del self.fields["protected_relatives"]
        if not self.is_bound:
            self.initial.setdefault("issued_on", timezone.localdate())
            self.initial.setdefault("effective_from", timezone.localdate())

    def relatives(self):
        return list(self.cleaned_data.get("protected_relatives") or ())


class DecisionForm(forms.Form):
    """What every change of an order carries: the version it was read at and the date of the
    court's decision."""

    on = forms.DateField(label=_("Decided on"), widget=DATE)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=order.version)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class VaryForm(DecisionForm):
    reason = forms.CharField(label=_("What the court changed and why"), widget=TEXT)
    conditions = forms.CharField(label=_("Conditions"), widget=TEXT,
                                 help_text=_("The conditions as they stand after the variation. Never the victim's "
                                             "address."))
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE, required=False,
                                 help_text=_("Leave as it is to keep the expiry date."))
    next_review_on = forms.DateField(label=_("Next review"), widget=DATE, required=False)

    def __init__(self, *args, order, relatives=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        if not self.is_bound:
            self.initial.update(conditions=order.conditions, expires_on=order.expires_on,
                                next_review_on=order.next_review_on)
        if relatives is not None:  # only for those who may read the relatives' names
            self.fields["protected_relatives"] = RelativeChoiceField(
                queryset=relatives, required=False, label=_("Protected relatives"),
                initial=[relative.pk for relative in order.protected_relatives.all()])

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {"version": data["version"], "on": data["on"], "reason": data["reason"],
                  "conditions": data["conditions"], "expires_on": data["expires_on"],
                  "next_review_on": data["next_review_on"]}
        if "protected_relatives" in self.fields:
            kwargs["relatives"] = list(data["protected_relatives"])
        return kwargs


class ReviewForm(DecisionForm):
    outcome = forms.CharField(label=_("What the review found"), widget=TEXT)
    next_review_on = forms.DateField(label=_("Next review"), widget=DATE, required=False,
                                     help_text=_("Leave empty if no further review is set."))

    def service_kwargs(self):
        data = self.cleaned_data
        return {"version": data["version"], "on": data["on"], "outcome": data["outcome"],
                "next_review_on": data["next_review_on"]}


class RevokeForm(DecisionForm):
    reason = forms.CharField(label=_("Why the court revoked the order"), widget=TEXT)

    def service_kwargs(self):
        data = self.cleaned_data
        return {"version": data["version"], "on": data["on"], "reason": data["reason"]}


class ViolationForm(forms.ModelForm):
    """Report a violation: when, what, and what was done about it so far."""

    class Meta:
        model = Violation
        fields = ["occurred_at", "description", "action_taken", "action_details", "escalation"]
        widgets = {"occurred_at": DATETIME, "description": TEXT, "action_details": TEXT}


class ViolationActionForm(forms.ModelForm):
    """What was done about a violation, and to whom it was escalated."""

    class Meta:
        model = Violation
        fields = ["action_taken", "action_details", "escalation"]
        widgets = {"action_details": TEXT}
