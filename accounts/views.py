from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from django_otp import login as otp_login

from . import two_factor
from .forms import SecondFactorForm

@never_cache
def health(request):
    """Liveness of the web process and its two services, for load balancers and compose."""
    status = {"database": False, "redis": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = True
    except Exception:
        pass
    try:
        cache.set("health", "ok", 5)
        status["redis"] = cache.get("health") == "ok"
    except Exception:
        pass
    ok = all(status.values())
    return JsonResponse({"ok": ok, **status}, status=200 if ok else 503)


class TwoFactorView(LoginRequiredMixin, FormView):
    """The second factor [SPEC 3]: set up an authenticator the first time, then a code from it
    (or a backup code) at each sign-in. Until then accounts.two_factor holds everything back."""

    template_name = "registration/two_factor.html"
    form_class = SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not two_factor.owed(request.user):
            return redirect(self.next_url())
        return super().dispatch(request, *args, **kwargs)

    def next_url(self):
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(wanted, allowed_hosts={self.request.get_host()},
                                           require_https=self.request.is_secure()):
            return wanted
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.next_url()
        device = two_factor.authenticator(self.request.user)
        if device is not None:
            context["demo_code"] = two_factor.demo_code(device)
        else:
            device = two_factor.new_authenticator(self.request.user)
            context.update(setting_up=True, secret=two_factor.secret(device), qr=mark_safe(two_factor.qr_svg(device)))
        return context

    def form_valid(self, form):
        user, code = self.request.user, form.cleaned_data["code"]
        if two_factor.authenticator(user) is None:
            confirmed = two_factor.confirm(two_factor.new_authenticator(user), code)
            if confirmed is None:
                form.add_error("code", _("That is not the code your app shows now. Check that the app's clock is "
                                         "right and try the next code."))
                return self.form_invalid(form)
            device, backup_codes = confirmed
            otp_login(self.request, device)
            return render(self.request, "registration/backup_codes.html",
                          {"codes": backup_codes, "next": self.next_url()})
        device = two_factor.check(user, code)
        if device is None:
            form.add_error("code", _("That code is not valid (a code is good only once). Wrong codes make you wait "
                                     "longer before the next try."))
            wait = two_factor.wait_seconds(user)
            if wait:
                form.add_error("code", ngettext("Wait %(seconds)d second before the next try.",
                                                "Wait %(seconds)d seconds before the next try.", wait)
                               % {"seconds": wait})
            return self.form_invalid(form)
        otp_login(self.request, device)
        return redirect(self.next_url())
