"""Settings, all read from the environment.

Development defaults are safe (DEBUG must be switched on explicitly); with DEBUG off the
production hardening below applies and `manage.py check --deploy` has nothing to report.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Set by `./dev test`: production hardening stays on except what needs HTTPS.
TESTING = env_bool("TESTING", False)

# Commands that only read the code (no request served, nothing signed) run without a key, so
# a fresh checkout can verify its migrations before any secret exists.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}


def running_keyless_command(argv=sys.argv):
    program = Path(argv[0]).name if argv else ""
    return program in {"manage.py", "django-admin", "__main__.py"} and len(argv) > 1 and argv[1] in KEYLESS_COMMANDS


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # Development only: never used with DEBUG off, so it cannot reach production.
        SECRET_KEY = "development-only-key-not-for-production-use"
    elif running_keyless_command():
        SECRET_KEY = secrets.token_urlsafe(50)  # throwaway: these commands sign nothing
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY for production, or DEBUG=1 for development "
            "(`make run` and `make test` do this for you)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",  # Django's widget templates, found by the project's FORM_RENDERER
    "django_countries",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "cases",
    "victims",
    "referrals",
    "hearings",
    "deadlines",
    "protection",
    "reports",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.SecondFactorMiddleware",
    "accounts.audit.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# One layout for every form: {{ form }} renders through templates/forms/ (see config/forms.py).
FORM_RENDERER = "config.forms.FormRenderer"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tipcms"),
        # Tests close connections after each request: the live server's threads must not
        # hold the test database open.
        conn_max_age=0 if TESTING else int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# No parallel workers for a query: a page's query is short, and the access policy's subplans
# would be built again in every worker (EXPLAIN showed the deadline list 3x slower with two).
# On a small server the cores are better spent on the next request.
# And random_page_cost for storage where a random read costs about what a sequential one does
# (SSD, or a database that fits in memory): at PostgreSQL's default of 4, planned for spinning
# disks, the policy's grant checks for a user in many groups hash-joined every grant of a kind
# (317,836 rows) instead of probing the index per group, and the sweep's per-person visibility
# queries ran 35% slower. DB_RANDOM_PAGE_COST=4 restores the default for spinning disks.
# And no JIT compilation: the statistics' national aggregates cross its cost threshold, and
# compiling them took 28 to 55 ms of queries that run 100 to 400 ms (EXPLAIN ANALYZE), for no
# gain in execution. DB_JIT=on turns it back on.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c max_parallel_workers_per_gather={int(os.environ.get('DB_PARALLEL_WORKERS', '0'))}"
    f" -c random_page_cost={float(os.environ.get('DB_RANDOM_PAGE_COST', '1.1'))}"
    f" -c jit={'on' if os.environ.get('DB_JIT') == 'on' else 'off'}")
# Every request that writes does so in one transaction: a failed request writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "tipcms")
# Test runs sharing one Redis database (checkouts, each with its own CACHE_KEY_PREFIX from
# ./dev test, and the pytest-xdist workers of one run, each with its own PYTEST_XDIST_WORKER)
# keep apart: each worker its own cache keys, sessions and beat heartbeat, and (below) its own
# Celery queues, so that one worker's real Celery worker never takes another's task.
if TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
    CACHE_KEY_PREFIX += "-" + os.environ["PYTEST_XDIST_WORKER"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Login throttling first, so a locked-out client never reaches a password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
    # Object-level questions (user.has_perm(perm, obj)) go to the access policy, never
    # straight to the raw guardian grants.
    "access.backend.PolicyBackend",
]
# guardian warns when its own backend is absent; on purpose, the access policy answers
# object permissions (it reads guardian's grants together with functions and exclusions).
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people see nothing

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session ends after this many seconds without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_TIMEOUT", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): lock the username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a TLS proxy every request comes from the proxy: the client is the address the
# nearest trusted proxy saw. Used by the throttle and by the access log alike.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_address"

# API tokens expire; a new one is obtained with the password at POST /api/token/.
API_TOKEN_LIFETIME_HOURS = float(os.environ.get("API_TOKEN_LIFETIME_HOURS", "8"))
# The person who recorded a victim at first contact sees that record (and its identity) for
# this many days, while they remain in the recording agency; after that only through grants.
VICTIM_RECORDER_ACCESS_DAYS = int(os.environ.get("VICTIM_RECORDER_ACCESS_DAYS", "30"))
# How long a receiving agency has to answer a referral, by urgency (hours) [SPEC 2.4].
REFERRAL_RESPONSE_HOURS = {
    "emergency": int(os.environ.get("REFERRAL_RESPONSE_HOURS_EMERGENCY", "4")),
    "urgent": int(os.environ.get("REFERRAL_RESPONSE_HOURS_URGENT", "24")),
    "routine": int(os.environ.get("REFERRAL_RESPONSE_HOURS_ROUTINE", "120")),
}
# Who may refer without the victim's consent (a recorded, logged override), e.g. a child in
# immediate danger.
# Rows per box of the referral inbox, each box paged on its own.
REFERRAL_INBOX_ROWS = int(os.environ.get("REFERRAL_INBOX_ROWS", "25"))
# The deadline sweep [SPEC 2.7]: how often beat runs it, and when each kind of deadline is
# reminded (days before it is due; fractions are parts of a day). Overdue items are escalated
# to the responsible person's supervisor and to the focal point.
DEADLINE_SWEEP_MINUTES = float(os.environ.get("DEADLINE_SWEEP_MINUTES", "5"))
DEADLINE_REMINDER_DAYS = {
    "default": (14, 7, 1),
    "pre_trial_detention": (30, 14, 7, 1),
    "stage_standard": (30, 7),
    "referral_response": (0.5,),
    "risk_reassessment": (1,),
    "cooperation_response": (14, 1),
}
HEARING_REMINDER_DAYS = (7, 1)
# A failing item is tried again after 1, 2, 4... minutes (doubling), at most this far apart.
SWEEP_RETRY_MAX_MINUTES = int(os.environ.get("SWEEP_RETRY_MAX_MINUTES", "240"))
# A violated protection order calls for a new risk assessment within this many days [SPEC 2.6].
RISK_REASSESSMENT_DAYS = int(os.environ.get("RISK_REASSESSMENT_DAYS", "2"))

# Reports and exports [SPEC 2.8]. The coordination report is for coordination work, not for
# publication: its classification heads every page and file of it.
COORDINATION_REPORT_CLASSIFICATION = os.environ.get(
    "COORDINATION_REPORT_CLASSIFICATION", "RESTRICTED – for coordination between the agencies named; not for publication")
# Upcoming hearings are listed for at least this many days ahead, whatever the period.
COORDINATION_LOOKAHEAD_DAYS = int(os.environ.get("COORDINATION_LOOKAHEAD_DAYS", "90"))
# Rows of each table shown on the page; exports hold every row.
REPORT_SCREEN_ROWS = int(os.environ.get("REPORT_SCREEN_ROWS", "100"))
# Exported files live outside anything the web server serves, for this long, then beat deletes them.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", BASE_DIR / ".local" / "exports"))
EXPORT_FILE_HOURS = float(os.environ.get("EXPORT_FILE_HOURS", "1"))
# An HTCDS import: the largest file and row count taken, and how many problems a refusal lists.
HTCDS_IMPORT_MAX_BYTES = int(os.environ.get("HTCDS_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
HTCDS_IMPORT_MAX_ROWS = int(os.environ.get("HTCDS_IMPORT_MAX_ROWS", "5000"))
HTCDS_IMPORT_MAX_PROBLEMS = 500
# Published statistics suppress counts from 1 to this minus one, and enough others that none
# can be worked back (reports/statistics) [SPEC 2.8, NA I.B].
STATISTICS_K = int(os.environ.get("STATISTICS_K", "5"))
# The longest period a report may cover.
REPORT_MAX_YEARS = 5

LANGUAGE_CODE = "en"
# The six UN working languages.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("zh-hans", _("Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The address people reach the system at, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-management@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "access.drf.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "access.drf.PolicyPermission",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "access.drf.PolicyFilterBackend",
        "access.drf.ListFilterBackend",
    ],
    # JSON only: the browsable API would probe other methods' permissions on every page.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "access.drf.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trafficking in persons case management API",
    "DESCRIPTION": (
        "Every endpoint answers through the same access policy as the web pages: "
        "a user sees only the cases and victims their agency or case team is granted."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name per shared choice set, so clients get one Country and one CaseStage type.
    "ENUM_NAME_OVERRIDES": {
        "Country": "django_countries.countries",
        "CaseStage": "cases.models.Case.Stage",
        "AssetStage": "cases.models.Asset.Stage",
        "CooperationStatus": "cases.models.CooperationRequest.Status",
        "CompensationStatus": "cases.models.CompensationClaim.Status",
        "VictimStatus": "victims.models.Victim.Status",
        "IdentificationChannel": "victims.models.IdentificationChannel",
        "CooperationWithAuthoritiesStatus": "victims.models.CooperationWithAuthorities.Status",
        "ResidencePermitStatus": "victims.models.ResidencePermit.Status",
        "AsylumClaimStatus": "victims.models.AsylumClaim.Status",
        "DataRequestStatus": "victims.models.DataSubjectRequest.Status",
        "ParticipationChannel": "victims.models.ParticipationEntry.Channel",
        "ServiceKind": "victims.models.AssistanceService.Kind",
        "ReferralStatus": "referrals.models.Referral.Status",
        "HearingKind": "hearings.models.Hearing.Kind",
        "HearingStatus": "hearings.models.Hearing.Status",
        "Party": "hearings.models.Party",
        "WitnessAppearance": "hearings.models.HearingWitness.Appearance",
        "SpecialMeasureDecision": "hearings.models.SpecialMeasure.Decision",
        "SpecialMeasureAppeal": "hearings.models.SpecialMeasure.Appeal",
        "DeadlineKind": "deadlines.models.Deadline.Kind",
        "DeadlineStatus": "deadlines.models.Deadline.Status",
        "NotificationKind": "deadlines.models.Notification.Kind",
        "ProtectionOrderKind": "protection.models.ProtectionOrder.Kind",
        "ProtectionOrderStatus": "protection.models.ProtectionOrder.Status",
        "OrderEventKind": "protection.models.OrderEvent.Kind",
        "ViolationAction": "protection.models.Violation.Action",
        "ViolationEscalation": "protection.models.Violation.Escalation",
    },
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# Under test every broker key (queues, bindings, unacked tasks) goes under the cache's prefix, one
# per checkout and worker. Not outside tests: a deployment's queues keep the names its workers use.
if TESTING:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{CACHE_KEY_PREFIX}:"}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17),
    },
    "beat-heartbeat": {
        "task": "accounts.tasks.record_beat_heartbeat",
        "schedule": 60.0,
    },
    "email-referral-notices": {
        "task": "referrals.tasks.email_referral_notices",
        "schedule": 60.0,
    },
    "purge-expired-exports": {
        "task": "reports.tasks.purge_expired_exports",
        "schedule": 60.0,
    },
    "deadline-sweep": {
        "task": "deadlines.tasks.sweep_deadlines",
        "schedule": DEADLINE_SWEEP_MINUTES * 60,
    },
    "email-notifications": {
        "task": "deadlines.tasks.email_notifications",
        "schedule": 60.0,
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in every environment: scripts and styles only from our own
# static files (no inline <script>, <style>, style= or on…= handlers anywhere, admin and API docs
# included), nothing framed, posted or based elsewhere. img-src allows data: for Pico's icons
# (check marks, select arrows: data: SVG in its CSS) and the blank favicon.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container healthchecks speak plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Calendar-feed tokens are secrets: no log line carries one (config/redaction.py).
    "filters": {"redact_feed_tokens": {"()": "config.redaction.RedactFeedTokens"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_feed_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["redact_feed_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # fpdf2's font subsetting tells every glyph otherwise
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# How long a case should stay in each stage: (days, days when a child is a victim). Each
# jurisdiction can set its own in the admin (StageTimeStandard); these apply otherwise.
# The prosecutor's continuity dashboard shows this many cases a page.
DASHBOARD_ROWS = int(os.environ.get("DASHBOARD_ROWS", "50"))
# The supervisor dashboard lists this many of the most overdue cases (and counts them all).
SUPERVISOR_LATE_ROWS = int(os.environ.get("SUPERVISOR_LATE_ROWS", "100"))
CASE_STAGE_STANDARD_DAYS = {
    "intake": (30, 14),
    "investigation": (365, 180),
    "charging": (60, 30),
    "pre_trial": (180, 90),
    "trial": (365, 180),
    "judgment": (60, 30),
    "appeal": (365, 180),
}

# Demo logins are printed only where demo data was loaded on purpose.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-pass-2026!")
# The demo accounts' authenticator key (hex; base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ, the RFC 6238
# test key): public, so the two-factor page shows a demo account's current code. Only in
# development and tests unless set; empty, demo accounts set up an authenticator like anyone.
DEMO_TOTP_KEY = os.environ.get(
    "DEMO_TOTP_KEY", "3132333435363738393031323334353637383930" if DEBUG or TESTING else "")

# Second factor (accounts/two_factor.py): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "TIP case management")
