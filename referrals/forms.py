"""Forms for the referral pages: an agency's own entry in the directory, the referral
of a victim, and the steps taken on a referral. What a form offers depends on the user: the
consent override only to the functions allowed to use it, assignees only from the receiving
agency."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, User
from access.functions import RECORDERS

from .models import Referral, ServiceKind, ServiceProvider

TEXT = forms.Textarea(attrs={"rows": 3})


def service_labels(values):
    labels = dict(ServiceKind.choices)
    return ", ".join(str(labels.get(value, value)) for value in values or [])


class InboxPagesForm(forms.Form):
    """Which page of each inbox box to show (`<box>_page`); anything else shows the first."""

    BOXES = ("overdue", "incoming", "assigned_to_me", "outgoing")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for box in self.BOXES:
            self.fields[f"{box}_page"] = forms.IntegerField(required=False, min_value=1)

    def page(self, box):
        if not self.is_bound or not self.is_valid():
            return 1
        return self.cleaned_data.get(f"{box}_page") or 1


class ServiceProviderForm(forms.ModelForm):
    """An agency's own entry in the directory."""

    class Meta:
        model = ServiceProvider
        fields = ["services", "languages", "areas", "accepts_children", "capacity", "contact_point",
                  "contact_phone", "contact_email"]
        widgets = {"languages": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {
            "languages": _("Hold Ctrl (⌘ on a Mac) to choose several."),
            "capacity": _("Leave empty if you do not keep places."),
            "contact_point": _("A role or desk, e.g. “Intake coordinator”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].required = True


class AgencyChoiceField(forms.ModelChoiceField):
    """Receiving agencies, each labelled with the services it offers and whether the victim
    consented to a referral to it."""

    def __init__(self, *args, consented=(), **kwargs):
        self.consented = set(consented)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, agency):
        mark = _("consent recorded") if agency.pk in self.consented else _("no consent recorded")
        services = service_labels(agency.directory_entry.services) or "—"
        return f"{agency.name} ({agency.country.code}) — {services} · {mark}"


def receiving_agencies(user):
    """Agencies with an entry in the directory, other than the user's own."""
    return (Agency.objects.filter(directory_entry__isnull=False, is_active=True).exclude(pk=user.agency_id)
            .select_related("directory_entry").order_by("name"))


class ReferForm(forms.Form):
    to_agency = AgencyChoiceField(label=_("Refer to"), queryset=Agency.objects.none(),
                                  empty_label=_("Choose an agency from the directory"))
    services = forms.MultipleChoiceField(label=_("Services requested"), choices=ServiceKind.choices,
                                         widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices,
                                initial=Referral.Urgency.ROUTINE, widget=forms.RadioSelect)
    reason = forms.TypedChoiceField(label=_("Reason for the referral"), choices=Referral.Reason.choices,
                                    initial=Referral.Reason.ADDITIONAL_SERVICES, required=False,
                                    empty_value=Referral.Reason.ADDITIONAL_SERVICES)
    note = forms.CharField(label=_("What the receiving agency needs to know"), required=False, widget=TEXT,
                           help_text=_("No names or addresses: identity travels only where the victim's "
                                       "consent covers it."))

    def __init__(self, *args, user, agencies, consented, may_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies
        self.fields["to_agency"].consented = set(consented)
        hours = settings.REFERRAL_RESPONSE_HOURS
        self.fields["urgency"].choices = [
            (value, _("%(urgency)s: an answer within %(hours)s hours") % {"urgency": label, "hours": hours[value]})
            for value, label in Referral.Urgency.choices]
        if may_override:
            self.fields["override_reason"] = forms.CharField(
                label=_("Refer without consent: why"), required=False, widget=TEXT,
                help_text=_("Only when the victim cannot consent and is in danger, e.g. a child at immediate "
                            "risk. The reason is kept with the referral and the override is logged."))

    def service_kwargs(self):
        data = self.cleaned_data
        return {"to_agency": data["to_agency"], "services": data["services"], "urgency": data["urgency"],
                "reason": data["reason"], "note": data["note"], "override_reason": data.get("override_reason", "")}


def receiving_staff(referral):
    """The people of the receiving agency a referral may be assigned to."""
    return (User.objects.filter(agency=referral.to_agency_id, is_active=True,
                                functions__overlap=[str(f) for f in RECORDERS])
            .order_by("first_name", "last_name", "username"))


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return str(user)


class StepForm(forms.Form):
    """One step on a referral: a reason where the step needs one, an assignee on acceptance."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assigned_to = AssigneeField(label=_("Assign to"), queryset=User.objects.none(), required=False,
                                empty_label=_("Me"))

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = receiving_staff(referral)


class AssignForm(forms.Form):
    assigned_to = AssigneeField(label=_("Assign to"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = receiving_staff(referral)
