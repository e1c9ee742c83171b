"""Links to cases and supporting agencies: the facts that give access to a victim, so each
change goes through victims.services, which keeps the grants in step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

import access
from cases.models import Case

from .. import services
from ..forms import CaseLinkForm, ConfirmForm, SupportForm
from ..models import VictimCaseLink, VictimSupport
from .record import VictimObjectMixin


class VictimChangeFormView(VictimObjectMixin, FormView):
    """A change to the victim that needs the right to edit the victim record."""

    template_name = "victims/section_form.html"
    policy_action = "change"
    anchor = ""

    def form_valid(self, form):
        try:
            message = self.apply(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(f"{self.victim.get_absolute_url()}#{self.anchor}")


class LinkCaseView(VictimChangeFormView):
    """Link the victim to a case; needs the right to edit both."""

    form_class = CaseLinkForm
    heading = gettext_lazy("Link to a case")
    anchor = "cases"

    def get_form_kwargs(self):
        cases = access.visible(self.request.user, Case, "change").exclude(victim_links__victim=self.victim)
        return {**super().get_form_kwargs(), "cases": cases}

    def apply(self, data):
        services.link_to_case(self.victim, data["case"], data["role"])
        return _("Linked to case %(case)s.") % {"case": data["case"]}


class UnlinkCaseView(VictimChangeFormView):
    form_class = ConfirmForm
    heading = gettext_lazy("Remove the link to a case")
    anchor = "cases"

    def check_link(self):
        """Unlinking needs the right to edit the case too."""
        self.link = get_object_or_404(VictimCaseLink, pk=self.kwargs["link_pk"], victim=self.victim)
        access.load_or_404(self.request.user, Case, "change", pk=self.link.case_id)

    def get(self, request, *args, **kwargs):
        self.check_link()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_link()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=_("Case %(case)s, as %(role)s.") % {
            "case": self.link.case, "role": self.link.get_role_display()}, **kwargs)

    def apply(self, data):
        services.unlink_from_case(self.link)
        return _("The link to case %(case)s is removed.") % {"case": self.link.case}


class AddSupportView(VictimChangeFormView):
    form_class = SupportForm
    heading = gettext_lazy("Add a supporting agency")
    anchor = "support"

    def apply(self, data):
        services.add_supporting_agency(self.victim, data["agency"])
        return _("%(agency)s now supports this victim.") % {"agency": data["agency"]}


class EndSupportView(VictimObjectMixin, FormView):
    """Only the supporting agency ends its own support (services.end_support)."""

    form_class = ConfirmForm
    template_name = "victims/section_form.html"
    policy_action = "view"
    heading = gettext_lazy("End our support")

    def get_context_data(self, **kwargs):
        support = self.support()
        return super().get_context_data(subject=_("%(agency)s stops supporting this victim and loses its access "
                                                  "to the victim's file.") % {"agency": support.agency}, **kwargs)

    def support(self):
        return get_object_or_404(VictimSupport, pk=self.kwargs["support_pk"], victim=self.victim,
                                 ended_on__isnull=True)

    def form_valid(self, form):
        try:
            services.end_support(self.support(), actor=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Support ended."))
        # The agency may no longer see the victim: back to the list.
        return redirect("victim-list")
