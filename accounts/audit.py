"""The read-access log: one helper for every view of sensitive data and every denial.

Inside a web request the entries are buffered and written in one INSERT by
AccessLogMiddleware after the view has finished. The view runs in its own transaction
(ATOMIC_REQUESTS), so a denial that rolls the view back is still logged, and logging costs
one query per request whatever the number of rows shown. If the log cannot be written the
response is withheld: nothing sensitive leaves unlogged. Outside a request (tasks, commands)
entries are written at once.
"""

import contextvars
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseServerError
from django.utils.translation import gettext as _

from .models import AccessLog

logger = logging.getLogger(__name__)

_pending = contextvars.ContextVar("pending_access_log", default=None)
_request = contextvars.ContextVar("access_log_request", default=None)


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    the nearest trusted proxy reports (earlier X-Forwarded-For entries can be forged)."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def safe_label(obj):
    """What the access log shows for an object: a case's reference or a victim's code, never
    str() of records that hold names (a defendant may be a victim charged under her own name)."""
    for attribute in ("reference", "code"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return f"{obj._meta.verbose_name} #{obj.pk}"


def log_access(user, action, objects=(), *, purpose="", requested="", details=None):
    """Record that `user` did `action` (an AccessLog.Action) on each of `objects`; `details`
    (JSON) says what an export held."""
    if not isinstance(objects, (list, tuple, set)) and not hasattr(objects, "__iter__"):
        objects = [objects]
    request = _request.get()
    entries = []
    for obj in objects or [None]:
        entries.append(
            AccessLog(
                user=user if getattr(user, "pk", None) else None,
                username=getattr(user, "username", "") or "anonymous",
                action=action,
                content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
                object_id=str(obj.pk) if obj is not None else "",
                object_label=safe_label(obj)[:200] if obj is not None else "",
                requested=requested,
                purpose=purpose[:200],
                # The path without its query string: searches could carry names.
                path=request.path[:500] if request is not None else "",
                ip_address=client_address(request),
                details=details or {},
            )
        )
    pending = _pending.get()
    if pending is not None:
        pending.extend(entries)
    else:
        AccessLog.objects.bulk_create(entries)


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending_token = _pending.set([])
        request_token = _request.set(request)
        try:
            response = self.get_response(request)
            pending = _pending.get()
            if pending:
                try:
                    AccessLog.objects.bulk_create(pending)
                except Exception:
                    logger.exception("Access log could not be written; response withheld")
                    return HttpResponseServerError(_("The access log could not be written, so nothing is shown."))
            return response
        finally:
            _pending.reset(pending_token)
            _request.reset(request_token)
