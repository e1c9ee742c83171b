"""The referral lists' filters [SPEC 2.4]: one FilterSet for the directory page and GET
/api/service-providers/, one for the inbox page and GET /api/referrals/, each with the same
parameter names on both [SPEC 3 "Interoperability"]. They narrow what the user may see; a
value they refuse is a 400 on the API and a message at its field on the page [SPEC 3 "Bad
input"]."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.fields import either_select
from victims.models.record import LANGUAGE_CHOICES

from . import services
from .models import Referral, ServiceKind, ServiceProvider

# ?box= -> its key in referrals.services.inbox
BOXES = {"incoming": "incoming", "outgoing": "outgoing", "overdue": "overdue", "assigned": "assigned_to_me"}
BOX_LABELS = {"incoming": _("Incoming"), "outgoing": _("Outgoing"), "overdue": _("Overdue"),
              "assigned": _("Recently assigned to me")}


class ServiceProviderFilter(django_filters.FilterSet):
    service = django_filters.ChoiceFilter(choices=ServiceKind.choices, method="offering",
                                          label=_("Offers this service"), empty_label=_("Any service"))
    language = django_filters.ChoiceFilter(choices=LANGUAGE_CHOICES, method="speaking", label=_("Speaks this language"),
                                           empty_label=_("Any language"))
    area = django_filters.CharFilter(
        method="serving", label=_("Serves this area"),
        help_text=_("Its areas served contain this, or it serves the whole country (“national”)."),
        widget=forms.TextInput(attrs={"placeholder": _("City, district or region")}),
    )
    accepts_children = django_filters.BooleanFilter(label=_("Accepts children"), widget=either_select(
        forms.NullBooleanSelect, _("Children or not"), _("Accepts children"), _("Adults only")))

    class Meta:
        model = ServiceProvider
        fields = ["service", "language", "area", "accepts_children"]

    def offering(self, entries, name, value):
        return entries.filter(services__contains=[value])

    def speaking(self, entries, name, value):
        return entries.filter(languages__contains=[value])

    def serving(self, entries, name, value):
        # A provider that serves the whole country serves every area: one answer, page and API.
        # "national" as a word of its own (\m \M: PostgreSQL's word bounds), so an area such
        # as "Lisbon International Airport" is no claim to serve the whole country.
        return entries.filter(Q(areas__icontains=value) | Q(areas__iregex=r"\mnational\M"))


class ReferralFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        choices=list(BOX_LABELS.items()), method="in_box",
        label=_("Box"), empty_label=_("Every box"),
        help_text=_("Your agency's inbox: open incoming or outgoing referrals, those overdue for an answer, or "
                    "those recently assigned to you"),
    )
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices, label=_("Status"),
                                         empty_label=_("Any status"))
    urgency = django_filters.ChoiceFilter(choices=Referral.Urgency.choices, label=_("Urgency"),
                                          empty_label=_("Any urgency"))
    # Hidden on the page: it comes from a link (a victim's referrals), not typed in.
    victim = django_filters.NumberFilter(field_name="victim", label=_("Victim"), widget=forms.HiddenInput)

    class Meta:
        model = Referral
        fields = ["box", "status", "urgency", "victim"]

    def in_box(self, referrals, name, value):
        box = services.inbox(self.request.user)[BOXES[value]]
        return referrals.filter(pk__in=box.values("pk"))

    def chosen_box(self):
        """The inbox key of the box asked for, or None for every box (also when the value was refused)."""
        self.is_valid()
        value = self.form.cleaned_data.get("box")
        return BOXES[value] if value else None

    def narrow(self, referrals):
        """`referrals` (one box of the inbox page) narrowed by every filter but the box: the page
        shows each box on its own, as GET /api/referrals/?box= does."""
        self.is_valid()
        for name, value in self.form.cleaned_data.items():
            if name != "box":
                referrals = self.filters[name].filter(referrals, value)
        return referrals
