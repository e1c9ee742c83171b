from django.db.models import Q
from django.views.generic import DetailView, ListView

from accounts import policy
from accounts.mixins import PolicyListMixin, PolicyObjectMixin
from cases.models import Case

from .identity import reveal_identity
from .models import Victim


class VictimListView(PolicyListMixin, ListView):
    model = Victim
    paginate_by = 50
    template_name = "victims/victim_list.html"

    def get_queryset(self):
        victims = super().get_queryset()
        search = self.request.GET.get("q", "").strip()
        if search:
            # By pseudonymous code only; name search comes with the identity rules (issue 4).
            victims = victims.filter(Q(code__icontains=search))
        return victims

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search"] = self.request.GET.get("q", "")
        return context


class VictimDetailView(PolicyObjectMixin, DetailView):
    model = Victim
    template_name = "victims/victim_detail.html"

    def get_queryset(self):
        return Victim.objects.select_related("recording_agency")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        victim, user = self.object, self.request.user
        context["identity"] = reveal_identity(user, victim, purpose="victim page")
        context["cases"] = list(policy.visible(user, Case.objects.filter(victim_links__victim=victim)))
        policy.record_shown(user, context["cases"], purpose="victim page")
        context["supports"] = victim.supports.filter(ended_on__isnull=True).select_related("agency")
        context["audience"] = policy.audience(victim, user)
        return context
