from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import access
from accounts.models import Agency, Jurisdiction

from .coordination import Period
from .models import ExportJob

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def months_before(day, months):
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue


def check_period(form, cleaned):
    """A period's end on or after its start, and at most settings.REPORT_MAX_YEARS long."""
    start, end = cleaned.get("date_from"), cleaned.get("date_to")
    if start and end:
        if end < start:
            form.add_error("date_to", _("The period cannot end before it starts."))
        elif end > years_after(start, settings.REPORT_MAX_YEARS):
            form.add_error("date_to", _("A report covers at most %(years)d years.")
                           % {"years": settings.REPORT_MAX_YEARS})


class CoordinationFilterForm(forms.Form):
    """The coordination report's filters [SPEC 2.8]: the jurisdictions and agencies offered are
    those the access policy lets the user report on; anything else is refused at its field."""

    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.none(), label=_("Jurisdiction"),
        error_messages={"invalid_choice": _("That is not a jurisdiction you can report on."),
                        "required": _("Choose the jurisdiction the report covers.")})
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Agency"), required=False, empty_label=_("All agencies"),
        error_messages={"invalid_choice": _("That is not an agency you can report on.")})

    # A page opened without filters shows the defaults, not four "required" errors.
    defaults_when_empty = True

    def __init__(self, data=None, *, user, **kwargs):
        today = timezone.localdate()
        if self.defaults_when_empty and data is not None and not any(data.get(name) for name in ("date_from", "date_to", "jurisdiction", "agency")):
            data = None
        self.user = user
        jurisdictions = access.coordinated_jurisdictions(user)
        initial = {"date_from": months_before(today, 3), "date_to": today,
                   "jurisdiction": (jurisdictions.filter(pk=user.agency.jurisdiction_id).first()
                                    if user.agency_id and user.agency.jurisdiction_id else None)
                   or jurisdictions.first(), **kwargs.pop("initial", {})}
        super().__init__(data, initial=initial, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.fields["agency"].queryset = access.coordinated_agency_choices(user)

    def clean(self):
        cleaned = super().clean()
        check_period(self, cleaned)
        return cleaned

    def period(self):
        """The filters as a Period: the valid form's, or the defaults of an unbound one (None if
        the user has no jurisdiction to report on)."""
        if not self.is_bound:
            initial = {name: self[name].initial for name in ("date_from", "date_to", "jurisdiction")}
            return Period(**initial) if initial["jurisdiction"] else None
        data = self.cleaned_data
        return Period(date_from=data["date_from"], date_to=data["date_to"], jurisdiction=data["jurisdiction"],
                      agency=data["agency"])

    @classmethod
    def from_period_json(cls, filters, *, user):
        return cls({"date_from": filters.get("from"), "date_to": filters.get("to"),
                    "jurisdiction": filters.get("jurisdiction"), "agency": filters.get("agency") or ""}, user=user)

    def visible_values(self):
        """The filters as they stand (bound or initial), for re-use in the export form."""
        return {name: self[name].value() for name in self.fields}


class ExportForm(CoordinationFilterForm):
    format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices,
                               error_messages={"invalid_choice": _("There is no export format “%(value)s”."),
                                               "required": _("Choose a format.")})

    defaults_when_empty = False

    def __init__(self, data=None, *, user, **kwargs):
        kwargs.setdefault("auto_id", "export-%s")  # beside the filter form on one page
        super().__init__(data, user=user, **kwargs)


class HtcdsExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[(ExportJob.Format.CSV, _("CSV (one table, UTF-8)")),
                                    (ExportJob.Format.XLSX, _("Excel (the table, then a sheet about the file)"))],
        error_messages={"invalid_choice": _("An HTCDS file is made as CSV or Excel."),
                        "required": _("Choose a format.")})


class HtcdsImportForm(forms.Form):
    file = forms.FileField(
        label=_("HTCDS file"), help_text=_("CSV (UTF-8) or Excel (.xlsx), headers in the first row."),
        error_messages={"required": _("Choose the file to import."),
                        "empty": _("The file is empty.")})


class StatisticsForm(forms.Form):
    """The statistics page's choices [SPEC 2.8]: a period, one of the jurisdictions the access
    policy lets the user count, up to two breakdowns, and the version (classified only for who
    holds that right)."""

    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.none(), label=_("Jurisdiction"), required=False,
        empty_label=_("All you may count"),
        error_messages={"invalid_choice": _("That is not a jurisdiction you may compile statistics for.")})
    by = forms.ChoiceField(label=_("By"), required=False)
    and_by = forms.ChoiceField(label=_("and by"), required=False)
    version = forms.ChoiceField(label=_("Version"), required=False,
                                choices=[("public", _("Public (small counts suppressed)"))],
                                error_messages={"invalid_choice": _("You may see the public version only.")})

    def __init__(self, data=None, *, user, dimensions, **kwargs):
        today = timezone.localdate()
        if data is not None and not any(data.get(name) for name in ("date_from", "date_to", "by", "version")):
            data = None
        super().__init__(data, initial={"date_from": today.replace(month=1, day=1), "date_to": today,
                                        "version": "public"}, **kwargs)
        self.fields["jurisdiction"].queryset = access.aggregated_jurisdictions(user)
        choices = [("", _("nothing (totals)"))] + [(key, label) for key, label in dimensions]
        self.fields["by"].choices = choices
        self.fields["and_by"].choices = [("", _("nothing"))] + choices[1:]
        if access.reads_classified_statistics(user):
            self.fields["version"].choices += [("classified", _("Classified (true counts, do not publish)"))]

    def clean(self):
        cleaned = super().clean()
        check_period(self, cleaned)
        if cleaned.get("and_by") and cleaned.get("and_by") == cleaned.get("by"):
            self.add_error("and_by", _("Choose a second breakdown different from the first."))
        elif cleaned.get("and_by") and not cleaned.get("by"):
            self.add_error("and_by", _("Choose the first breakdown before a second."))
        return cleaned

    def choices(self):
        """(date_from, date_to, jurisdiction or None, by tuple, version) of the valid or unbound form."""
        data = self.cleaned_data if self.is_bound else {name: self[name].initial for name in self.fields}
        by = tuple(key for key in (data.get("by"), data.get("and_by")) if key)
        return data["date_from"], data["date_to"], data.get("jurisdiction"), by, data.get("version") or "public"


class StatisticsExportForm(StatisticsForm):
    """The statistics page's choices and a format: the file holds what the page shows."""

    format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices,
                               error_messages={"invalid_choice": _("There is no export format “%(value)s”."),
                                               "required": _("Choose a format.")})


class MicrodataExportForm(StatisticsForm):
    format = forms.ChoiceField(label=_("Format"), choices=[(ExportJob.Format.CSV, _("CSV (one table)")),
                                                           (ExportJob.Format.XLSX, _("Excel"))],
                               error_messages={"invalid_choice": _("The release is made as CSV or Excel."),
                                               "required": _("Choose a format.")})
