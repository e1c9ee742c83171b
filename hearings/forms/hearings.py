"""Forms for hearings, their witnesses and special measures, and judges' non-availability.

Choices offered are those the access policy lets the user use: the cases they may set hearings
in, the victims of the hearing's case they may see (by pseudonymous code, never by name)."""

from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

import access
from accounts.models import Agency, User
from victims.models import Victim

from .. import services
from ..models import Courtroom, Hearing, HearingWitness, JudgeUnavailability, Party, SpecialMeasure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


class GroupedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """Options grouped under a heading (courtrooms under their court)."""

    def __init__(self, field):
        super().__init__(field)
        self.group_by = field.group_by

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset if self.queryset._prefetch_related_lookups else self.queryset.iterator()
        for group, members in groupby(rows, key=self.group_by):
            yield (str(group), [self.choice(obj) for obj in members])


class GroupedModelChoiceField(forms.ModelChoiceField):
    iterator = GroupedModelChoiceIterator

    def __init__(self, *args, group_by, **kwargs):
        self.group_by = group_by
        super().__init__(*args, **kwargs)


def people_with(function):
    return User.objects.filter(is_active=True, functions__contains=[function]).select_related("agency").order_by(
        "last_name", "first_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.agency})" if person.agency_id else str(person)


class HearingForm(forms.ModelForm):
    """Setting a hearing (the case is chosen only when it is created) or moving it."""

    courtroom = GroupedModelChoiceField(
        queryset=Courtroom.objects.filter(is_active=True).select_related("court").order_by("court__name", "name"),
        group_by=lambda room: room.court, required=False, label=_("courtroom"),
        help_text=_("A room of the chosen court. Room features (safe waiting room, video link) count in the checks."),
    )
    judge = PersonChoiceField(queryset=people_with("judge"), required=False, label=_("judge"))
    prosecutor = PersonChoiceField(queryset=people_with("prosecutor"), required=False, label=_("prosecutor"))
    video_link = forms.URLField(label=_("video link"), required=False, assume_scheme="https", max_length=200,
                                help_text=Hearing._meta.get_field("video_link").help_text)

    class Meta:
        model = Hearing
        fields = ["case", "kind", "court", "courtroom", "starts_at", "duration_minutes", "judge", "prosecutor",
                  "video_link", "notes"]
        widgets = {"starts_at": DATETIME, "notes": TEXT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = Agency.objects.filter(kind="court", is_active=True).order_by("name")
        self.fields["courtroom"].label_from_instance = lambda room: room.name + "".join(
            f" · {text}" for flag, text in ((room.has_safe_waiting_room, _("safe waiting room")),
                                            (room.has_video_link, _("video link"))) if flag)
        if self.instance.pk is None:
            self.fields["case"].queryset = services.schedulable_cases(user).order_by("reference")
        else:
            del self.fields["case"]
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=self.instance.version)


class AdjournForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the adjournment"), widget=TEXT)
    requested_by = forms.ChoiceField(label=_("Asked for by"), choices=[("", "---------"), *Party.choices])
    new_starts_at = forms.DateTimeField(
        label=_("Continues on (optional)"), required=False, widget=DATETIME,
        help_text=_("With a new date the hearing continues then, with the same court, people, witnesses and the "
                    "court's decisions on special measures."))
    version = forms.IntegerField(widget=forms.HiddenInput)


CLOSING = [(status, label) for status, label in Hearing.Status.choices
           if status in (Hearing.Status.HELD, Hearing.Status.CANCELLED, Hearing.Status.VACATED)]


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("What happened"), choices=CLOSING, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (needed to cancel or vacate)"), required=False, widget=TEXT)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VictimCodeField(forms.ModelChoiceField):
    def label_from_instance(self, victim):
        return victim.code


class HearingWitnessForm(forms.ModelForm):
    victim = VictimCodeField(queryset=Victim.objects.none(), required=False, label=_("victim-witness"),
                             help_text=_("A victim of this case, by code. Leave empty for another witness."))

    class Meta:
        model = HearingWitness
        fields = ["victim", "role", "appearance", "interpreter_language", "interpreter_booked", "early_testimony",
                  "leaves_country_on", "testifies_from"]
        widgets = {"leaves_country_on": DATE}

    def __init__(self, *args, user, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        victims = access.visible(user, Victim.objects.filter(case_links__case=hearing.case_id))
        if self.instance.victim_id:  # keep the one already chosen
            victims = Victim.objects.filter(pk__in=victims.values("pk")) | Victim.objects.filter(
                pk=self.instance.victim_id)
        self.fields["victim"].queryset = victims.order_by("code")


class SpecialMeasureForm(forms.ModelForm):
    class Meta:
        model = SpecialMeasure
        fields = ["measure", "requested_by", "requested_on", "defence_heard", "decision", "decided_on",
                  "decision_notes", "appeal", "appeal_notes"]
        widgets = {"requested_on": DATE, "decided_on": DATE, "decision_notes": TEXT, "appeal_notes": TEXT}


class JudgeUnavailabilityForm(forms.ModelForm):
    judge = PersonChoiceField(queryset=User.objects.none(), label=_("Judge"))

    class Meta:
        model = JudgeUnavailability
        fields = ["judge", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The judges of the user's own court.
        self.fields["judge"].queryset = people_with("judge").filter(agency=user.agency_id) if user.agency_id \
            else User.objects.none()
