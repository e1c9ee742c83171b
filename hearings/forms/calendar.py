"""The calendar page's choices (scope, view, date) and the feed settings' buttons."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VIEW_CHOICES = [("month", _("Month")), ("week", _("Week")), ("day", _("Day"))]


class CalendarForm(forms.Form):
    """GET scope=mine|court:<id>|prosecutor:<id>|ngo:<id>, view=month|week|day, date=YYYY-MM-DD.

    `scopes` is the list of (value, label) the user may choose from; anything else is refused
    with a message and the page falls back to the defaults."""

    scope = forms.ChoiceField(label=_("Calendar"), required=False)
    view = forms.ChoiceField(label=_("View"), choices=VIEW_CHOICES, required=False)
    date = forms.DateField(label=_("Date"), required=False, input_formats=["%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is not None and not 1900 <= day.year <= 2999:
            raise forms.ValidationError(_("Choose a date between the years 1900 and 2999."))
        return day

    def value(self, name, default):
        """The cleaned value of `name`, or `default` when it was empty or wrong."""
        if not self.is_bound:
            return default
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or default

    def choices(self):
        """(scope, view, date), each valid, defaulting to my calendar, this week, today."""
        return self.value("scope", "mine"), self.value("view", "week"), self.value("date", timezone.localdate())

    def problems(self):
        if not self.is_bound or self.is_valid():
            return []
        return [error for errors in self.errors.values() for error in errors]


class FeedForm(forms.Form):
    """The feed settings page posts one of two buttons."""

    action = forms.ChoiceField(choices=[("create", _("Create a new feed address")),
                                        ("revoke", _("Revoke the feed address"))])
