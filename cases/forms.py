from django import forms

from accounts.mixins import VersionedFormMixin

from .models import Case


class CaseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = ["title", "priority", "is_transnational", "investigation_summary"]
        widgets = {"investigation_summary": forms.Textarea(attrs={"rows": 6})}
