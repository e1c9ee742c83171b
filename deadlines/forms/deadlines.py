"""Forms for the deadline pages: entering a statutory or procedural deadline and extending one.
What the entry form offers depends on what it is about and on the user: a defendant only to
those who may see the case's proceedings, responsible people and agencies among those taking
part. The list's filters are deadlines.filters, shared with the API."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, User

from ..models import Deadline

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def taking_part(actor, case=None, victim=None):
    """(people, agencies) who may answer for a deadline about `case` or `victim`: the actor's
    own agency, the agencies of the case or those supporting the victim, and their active people."""
    agencies = Q(pk=actor.agency_id) if actor.agency_id else Q(pk__in=[])
    if case is not None:
        agencies |= Q(case_roles__case=case)
    if victim is not None:
        agencies |= Q(supported_victims__victim=victim, supported_victims__ended_on__isnull=True)
    agency_ids = Agency.objects.filter(agencies, is_active=True).values("pk")
    people = User.objects.filter(is_active=True, agency__in=agency_ids).select_related("agency")
    people = people.order_by("agency__name", "last_name", "first_name", "username")
    return people, Agency.objects.filter(pk__in=agency_ids).order_by("name")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.agency})" if user.agency_id else str(user)


class DeadlineForm(forms.ModelForm):
    """A statutory or procedural deadline (the generated kinds follow their records)."""

    class Meta:
        model = Deadline
        fields = ["kind", "title", "due_at", "defendant", "responsible_user", "responsible_agency", "notes"]
        widgets = {"due_at": DATETIME, "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"responsible_user": PersonChoiceField}
        help_texts = {
            "defendant": _("For a pre-trial detention limit: the detained defendant."),
            "responsible_user": _("The person who must see that it is done."),
        }

    def __init__(self, *args, actor, case=None, victim=None, show_defendants=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------")] + [(kind.value, kind.label) for kind in Deadline.ENTERED]
        self.fields["due_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        if case is not None and show_defendants:
            self.fields["defendant"].queryset = case.defendants.order_by("name")
        else:
            del self.fields["defendant"]
        people, agencies = taking_part(actor, case, victim)
        self.fields["responsible_user"].queryset = people
        self.fields["responsible_agency"].queryset = agencies
        if not self.is_bound:
            self.initial.setdefault("responsible_user", actor.pk)
            self.initial.setdefault("responsible_agency", actor.agency_id)


class ExtendForm(forms.Form):
    new_due_at = forms.DateTimeField(label=_("New due date"), widget=DATETIME,
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    reason = forms.CharField(label=_("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept with the deadline, with its first due date."))
