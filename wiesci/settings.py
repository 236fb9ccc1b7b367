"""Settings for Wieści, read from WIESCI_* environment variables.

The promise: with nothing set, `wiesci demo` runs a working portal on SQLite,
with its database, media and secret key under ./var/. Setting
WIESCI_DATABASE_URL=postgres://… and WIESCI_CACHE_URL=redis://… moves it onto
PostgreSQL and Redis; nothing else changes. Every variable is listed, with its
default, in the README; a test keeps that table complete.

A missing or malformed value raises ConfigError, which the `wiesci` command
prints as one line naming the variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from wiesci.core.catalogs import compile_catalogs
from wiesci.core.environ import (
    ConfigError,
    Env,
    cache_config,
    database_config,
    email_config,
    ensure_data_dir,
    media_storages,
    origin,
    read_or_create_secret_key,
    replica_databases,
    sqlite_config,
)

env = Env()
PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = ensure_data_dir(env.path("WIESCI_DATA_DIR", Path.cwd() / "var"))
DEBUG = env.flag("WIESCI_DEBUG", False)

SECRET_KEY = env.text("WIESCI_SECRET_KEY", "") or read_or_create_secret_key(
    DATA_DIR / "secret.key"
)

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.items("WIESCI_ALLOWED_HOSTS", LOCAL_HOSTS)
# A public host name means the portal faces readers: production mode, in
# which HTTPS is on by default and `wiesci check` adds the deployment checks.
PUBLIC_HOSTS = [h for h in ALLOWED_HOSTS if h.lstrip(".") not in LOCAL_HOSTS]
PRODUCTION = bool(PUBLIC_HOSTS) and not DEBUG
HTTPS = env.flag("WIESCI_HTTPS", PRODUCTION)
SITE_URL = env.url(
    "WIESCI_SITE_URL",
    f"https://{PUBLIC_HOSTS[0].lstrip('.')}"
    if PUBLIC_HOSTS
    else "http://127.0.0.1:8000",
)

# --- Applications ---------------------------------------------------------

INSTALLED_APPS = [
    # First, so that its templates override the admin's.
    "wiesci.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "csp",
    "template_partials",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "wiesci.accounts",
    "wiesci.taxonomy",
    "wiesci.photos",
    "wiesci.articles",
    "wiesci.comments",
    "wiesci.search",
    "wiesci.distribution",
    "wiesci.events",
    "wiesci.notices",
    "wiesci.live",
    "wiesci.moving",
    "wiesci.newsletter",
    "wiesci.tips",
    "wiesci.push",
    "wiesci.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First of the rest, so that everything below reads where it should.
    "wiesci.core.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wiesci.core.middleware.PolicyMiddleware",
    "wiesci.core.middleware.AdminImportMapHashMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    # Old addresses of an imported portal: `/?p=123`, then any other 404.
    "wiesci.moving.redirects.RedirectMiddleware",
]

ROOT_URLCONF = "wiesci.urls"
WSGI_APPLICATION = "wiesci.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# Readers log in with their e-mail address and must verify it first.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "wiesci.accounts.forms.SignupExtraForm"
ACCOUNT_FORMS = {"signup": "wiesci.accounts.signup.SignupForm"}
ACCOUNT_ADAPTER = "wiesci.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Google and Facebook log-in appear once an editor adds their keys as a
# "social application" in the admin; without one there is no button.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wiesci.core.context_processors.portal",
                "wiesci.articles.context_processors.navigation",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------

if env.has("WIESCI_DATABASE_URL"):
    DATABASES = {"default": database_config(env.text("WIESCI_DATABASE_URL", ""))}
else:
    DATABASES = {"default": sqlite_config(DATA_DIR / "wiesci.sqlite3")}
# Standbys of a PostgreSQL primary that anonymous page renders read from, once
# they have replayed every committed write (see wiesci/core/replicas.py).
DATABASES.update(replica_databases(env, DATABASES["default"]))
DATABASE_ROUTERS = ["wiesci.core.replicas.ReplicaRouter"]

CACHE_URL = env.text("WIESCI_CACHE_URL", "")
# nginx or a CDN in front that accepts HTTP PURGE requests when content changes.
PURGE_URL = env.text("WIESCI_PURGE_URL", "")
# Who hears of a publication, edit or withdrawal (off unless set): a WebSub
# hub the feeds name, and an IndexNow endpoint with this portal's key.
WEBSUB_HUB = env.url("WIESCI_WEBSUB_HUB", "") if env.has("WIESCI_WEBSUB_HUB") else ""
INDEXNOW_URL = (
    env.url("WIESCI_INDEXNOW_URL", "") if env.has("WIESCI_INDEXNOW_URL") else ""
)
INDEXNOW_KEY = env.text("WIESCI_INDEXNOW_KEY", "")
# Breaking-news Web Push (off unless set): the VAPID private key that
# `wiesci generate_vapid_keys` prints, base64url or PEM; `wiesci check` says
# when it is malformed (see wiesci/push/vapid.py).
VAPID_PRIVATE_KEY = env.text("WIESCI_VAPID_PRIVATE_KEY", "").replace("\\n", "\n")
if INDEXNOW_KEY and not re.fullmatch(r"[A-Za-z0-9-]{8,128}", INDEXNOW_KEY):
    raise ConfigError(
        "WIESCI_INDEXNOW_KEY", "expected 8 to 128 letters, digits or dashes"
    )
if INDEXNOW_URL and not INDEXNOW_KEY:
    raise ConfigError("WIESCI_INDEXNOW_KEY", "needed when WIESCI_INDEXNOW_URL is set")
CACHES = {"default": cache_config(CACHE_URL, default_dir=DATA_DIR / "cache")}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The operator's /-/health and /-/metrics answer only these networks (the
# reader's address from X-Forwarded-For behind a proxy), or a request with
# `Authorization: Bearer <WIESCI_OPS_TOKEN>`; anyone else gets a 404.
OPS_NETWORKS = env.networks("WIESCI_OPS_NETWORKS", ["127.0.0.0/8", "::1/128"])
OPS_TOKEN = env.text("WIESCI_OPS_TOKEN", "")
if OPS_TOKEN and len(OPS_TOKEN) < 20:
    raise ConfigError("WIESCI_OPS_TOKEN", "too short to keep anyone out (20 or more)")
# Request counts of every process of `wiesci serve`, which a scrape adds up
# (see wiesci/core/metrics.py); emptied when `wiesci serve` starts.
# prometheus_client picks its multiprocess mode from the variable when first
# imported, which is after settings.
METRICS_DIR = DATA_DIR / "metrics"
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)

MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# WIESCI_MEDIA_URL=s3://… puts public media in a bucket that readers fetch
# from (at WIESCI_MEDIA_PUBLIC_URL, a CDN perhaps) and WIESCI_PRIVATE_MEDIA_URL
# the originals in a private one; MEDIA_ROOT and PRIVATE_ROOT then only hold
# what `wiesci media migrate` copies there. Static files stay on disk.
OBJECT_STORAGES = media_storages(env)
if OBJECT_STORAGES:
    MEDIA_URL = OBJECT_STORAGES["default"]["OPTIONS"]["public_url"] + "/"
# Uploaded originals (with their EXIF and GPS data) live outside MEDIA_ROOT so
# that no URL reaches them; only re-encoded renditions are public.
PRIVATE_ROOT = DATA_DIR / "private"
STATIC_ROOT = DATA_DIR / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "wiesci.core.storage.PrivateFileStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "wiesci.core.storage.HashedStaticFilesStorage"},
    **OBJECT_STORAGES,
}
FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail ---------------------------------------------------------------

EMAIL = email_config(env.text("WIESCI_EMAIL_URL", "console:"))
EMAIL_BACKEND = EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = EMAIL.get("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env.text("WIESCI_EMAIL_FROM", "Wieści <redakcja@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ----------------------------------------------------

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Before Django builds any translation, or its first pages come out in
# English (see wiesci/core/catalogs.py).
compile_catalogs(LOCALE_PATHS)
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
CSRF_TRUSTED_ORIGINS = [f"https://{h.lstrip('.')}" for h in PUBLIC_HOSTS]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # A load balancer's health check or a scrape may talk plain HTTP to the
    # server itself; a redirect to https would fail it.
    SECURE_REDIRECT_EXEMPT = [r"^-/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("WIESCI_HSTS_SECONDS", 31536000)
    # Both default to on, as `check --deploy` asks; a portal with plain-HTTP
    # subdomains turns them off (and the check then says so).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("WIESCI_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.flag("WIESCI_HSTS_PRELOAD", True)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env.flag("WIESCI_BEHIND_PROXY", False):
    # nginx or a CDN terminates TLS and says so in X-Forwarded-Proto, and
    # passes the reader's address, which log-in rate limits count by.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
    USE_X_FORWARDED_HOST = False

# Photos, posters and videos come from the object storage (or its CDN) when
# media are not on the portal's own disk.
MEDIA_ORIGINS = [] if MEDIA_URL.startswith("/") else [origin(MEDIA_URL)]
# A strict policy without 'unsafe-inline': every script and stylesheet is a
# file under /static/. No nonces either, because a nonce would make each
# anonymous page unique and defeat the full-page cache.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "media-src": ["'self'", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://www.facebook.com",
        ],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Logging --------------------------------------------------------------

LOG_LEVEL = env.choice(
    "WIESCI_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
