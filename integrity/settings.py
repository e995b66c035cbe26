"""Settings for the Integrity service, read once from the environment.

Every variable has a working development default except SECRET_KEY, which is
required unless DEBUG is on. A malformed value stops start-up with a message
naming the variable (see integrity/env.py).
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from integrity import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.read_bool("DEBUG", default=False)

SECRET_KEY = env.read_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set: set it to a long random string, or set DEBUG=true.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production"

ALLOWED_HOSTS = env.read_list("ALLOWED_HOSTS", default="localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env.read_list("CSRF_TRUSTED_ORIGINS", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "vpnapi",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vpnapi.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "integrity.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "integrity.wsgi.application"

DATABASES = {"default": env.read_database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction begins, so two
    # concurrent writers queue on the timeout instead of one failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    # Opening a PostgreSQL connection costs a round trip and authentication,
    # so connections are kept between requests and checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.read_int("CONN_MAX_AGE", default=60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {"default": env.read_cache("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idOwaspHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Day and month boundaries of the statistics follow this zone; stored times
# are always UTC.
TIME_ZONE = env.read_time_zone("TIME_ZONE", default="UTC")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SILENCED_SYSTEM_CHECKS = []

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Behind the documented reverse proxy, which terminates TLS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.read_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.read_int("SECURE_HSTS_SECONDS", default=3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    # Preloading is a browser-list commitment for the whole domain that an
    # operator makes by hand, so its deploy-check warning is silenced.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The statistics index carries included columns for PostgreSQL; SQLite
    # ignores them and keeps the key columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- API -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["vpnapi.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["vpnapi.permissions.IsResellerKey"],
    "DEFAULT_THROTTLE_CLASSES": ["vpnapi.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["vpnapi.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["vpnapi.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "vpnapi.negotiation.JSONOnlyNegotiation",
    "EXCEPTION_HANDLER": "vpnapi.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "vpnapi.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
}

# Requests a minute that one API key may make.
API_RATE_LIMIT_PER_MINUTE = env.read_int("API_RATE_LIMIT_PER_MINUTE", default=6000, minimum=1)
# Failed credential checks allowed per username, per minute and per hour.
AUTH_FAILURES_PER_MINUTE = env.read_int("AUTH_FAILURES_PER_MINUTE", default=10, minimum=1)
AUTH_FAILURES_PER_HOUR = env.read_int("AUTH_FAILURES_PER_HOUR", default=100, minimum=1)
# Seconds a successful credential check is remembered (as an HMAC, never the
# password itself); 0 turns the cache off.
AUTH_CACHE_SECONDS = env.read_int("AUTH_CACHE_SECONDS", default=300, minimum=0, maximum=3600)
# Largest request body the API reads, in bytes.
API_MAX_BODY_BYTES = 64 * 1024

TRUSTED_PROXIES = env.read_networks("TRUSTED_PROXIES", default="")
WIREGUARD_IPV4_POOL = env.read_pool("WIREGUARD_IPV4_POOL", default="10.64.0.0/10", version=4, min_size=4)
WIREGUARD_IPV6_POOL = env.read_pool("WIREGUARD_IPV6_POOL", default="fc00:bbbb:bbbb:bb01::/64", version=6, min_size=4)
WIREGUARD_MAX_KEYS_PER_USER = env.read_int("WIREGUARD_MAX_KEYS_PER_USER", default=5, minimum=1, maximum=1000)

SPECTACULAR_SETTINGS = {
    "TITLE": "Integrity VPN reseller API",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "JSON API for VPN resellers and VPN servers. The guide with examples is docs/api.md.",
    # Tags and operation ids start after the version segment: /1.0/User -> User.
    "SCHEMA_PATH_PREFIX": r"/1\.0",
    "PREPROCESSING_HOOKS": ["vpnapi.schema.keep_canonical_routes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vpnapi.schema.add_shared_error_responses",
    ],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {"SuccessOkEnum": ["ok"], "SuccessErrorEnum": ["error"]},
    # No request may leave for swagger.io's validator badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.read_log_level("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request lines are logged by gunicorn or runserver; Django's own
        # 4xx warnings would repeat every rejected API call.
        "django.request": {"level": "ERROR"},
    },
}
