"""Settings for Shangmi.

The embedded default is one process on SQLite with no other server, so a district
office can run the platform on a laptop. Everything that differs in production comes
from the environment (see shangmi/env.py); nothing here needs editing to deploy.
"""

from pathlib import Path

import dj_database_url

from shangmi.env import env_bool, env_int, env_list, env_proxy_header, env_str
from shangmi.evidence.config import witnesses_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SHANGMI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("SHANGMI_DEBUG", False)
SECRET_KEY = env_str("SHANGMI_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A laptop install still needs a stable key; keep one beside the database.
        key_file = VAR_DIR / "secret_key"
        if key_file.exists():
            SECRET_KEY = key_file.read_text().strip()
        else:
            import secrets

            VAR_DIR.mkdir(parents=True, exist_ok=True)
            SECRET_KEY = secrets.token_urlsafe(50)
            key_file.write_text(SECRET_KEY)
            key_file.chmod(0o600)
    else:
        SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = env_list("SHANGMI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SHANGMI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "django_htmx",
    # Before django_tasks_db: its db_worker command is shadowed by one with a heartbeat.
    "shangmi.jobs",
    "django_tasks",
    "django_tasks_db",
    "shangmi.core",
    "shangmi.regions",
    "shangmi.accounts",
    "shangmi.enterprises",
    "shangmi.evidence",
    "shangmi.notices",
    "shangmi.standards",
    "shangmi.experts",
    "shangmi.creation",
    "shangmi.targets",
    "shangmi.network",
    "shangmi.ledgers",
    "shangmi.surveys",
    "shangmi.enforcement",
    "shangmi.protection",
    "shangmi.plans",
    "shangmi.knowledge",
    "shangmi.portal",
    "shangmi.demo",
    "shangmi.dashboard",
    "shangmi.home",
    "shangmi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shangmi.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shangmi.urls"
WSGI_APPLICATION = "shangmi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shangmi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shangmi.notices.context_processors.unread_notices",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shangmi.sqlite3'}"),
        conn_max_age=env_int("SHANGMI_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the background worker write while pages read; IMMEDIATE avoids
    # "database is locked" when two writers upgrade a read transaction at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "shangmi.accounts.hashers.ConfiguredArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id's cost per password check (shangmi/accounts/hashers.py), chosen for the hardware:
# the default (19 MiB, 2 passes, 1 lane, the OWASP minimum) measured 27 ms of CPU and ~50 ms
# per sign-in on 2 vCPUs, where Django's 100 MiB x 2 x 8 measured 213 ms and let a wave of
# sign-ins starve every page (BENCHMARKS.md, "Password hashing").
ARGON2_MEMORY_KIB = env_int("SHANGMI_ARGON2_MEMORY_KIB", 19456)
ARGON2_TIME_COST = env_int("SHANGMI_ARGON2_TIME_COST", 2)
ARGON2_PARALLELISM = env_int("SHANGMI_ARGON2_PARALLELISM", 1)
if ARGON2_TIME_COST < 1 or ARGON2_PARALLELISM < 1 or ARGON2_MEMORY_KIB < 8 * ARGON2_PARALLELISM:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SHANGMI_ARGON2_TIME_COST and SHANGMI_ARGON2_PARALLELISM must be at least 1 and "
        "SHANGMI_ARGON2_MEMORY_KIB at least 8 per lane"
    )
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shangmi.accounts.passwords.CharacterClassValidator"},
    {"NAME": "shangmi.accounts.passwords.PatternValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock an account after repeated failures, whatever address they come from, and an address
# after many more (a bureau behind one NAT address must survive a few typos). The window runs
# from the first failure and failures while locked are not counted, so no one can keep an
# account locked by typing on (shangmi/accounts/lockout.py); an administrator unlocks at once,
# and so does the owner by an emailed link.
AXES_FAILURE_LIMIT = env_int("SHANGMI_LOGIN_FAILURE_LIMIT", 5)
SHANGMI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("SHANGMI_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("SHANGMI_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "shangmi.accounts.lockout.FixedWindowHandler"
AXES_LOCKOUT_CALLABLE = "shangmi.accounts.views.lockout_response"
AXES_VERBOSE = False
# The owner of a locked account may ask for an unlock link by email (shangmi/accounts/unlock.py):
# it is good for this many minutes and for one lock.
SHANGMI_UNLOCK_LINK_MINUTES = env_int("SHANGMI_UNLOCK_LINK_MINUTES", 60)
# API tokens expire this many days after they were issued; a password change revokes them.
SHANGMI_API_TOKEN_DAYS = env_int("SHANGMI_API_TOKEN_DAYS", 30)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600

# --- HTTPS -----------------------------------------------------------------------------------
# The laptop default speaks plain HTTP on 127.0.0.1; a server behind HTTPS turns these on.
SESSION_COOKIE_SECURE = env_bool("SHANGMI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SHANGMI_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SHANGMI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SHANGMI_HSTS_INCLUDE_SUBDOMAINS", False)
# Asking browsers to preload HSTS binds the whole domain for good: only its owner decides.
SECURE_HSTS_PRELOAD = env_bool("SHANGMI_HSTS_PRELOAD", False)
# Behind a reverse proxy that terminates HTTPS: the header it sets, e.g. "X-Forwarded-Proto"
# (meaning "X-Forwarded-Proto: https") or "X-Forwarded-Proto=https". Trust it only if the proxy
# overwrites it, never when clients can reach the server directly.
SECURE_PROXY_SSL_HEADER = env_proxy_header("SHANGMI_PROXY_SSL_HEADER")
# How many trusted proxies append to X-Forwarded-For: the sign-in lock then counts failures by
# the client's address, not the proxy's (0: REMOTE_ADDR is the client).
SHANGMI_PROXY_COUNT = env_int("SHANGMI_PROXY_COUNT", 0)
if SHANGMI_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = SHANGMI_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Email ---------------------------------------------------------------------------------
# Enterprises are told of accounts made for them at their registered contact address. The
# embedded default writes each message to a file under var/mail/ (no mail server needed);
# production names an SMTP server.
EMAIL_BACKEND = env_str("SHANGMI_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("SHANGMI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SHANGMI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SHANGMI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("SHANGMI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SHANGMI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SHANGMI_EMAIL_FROM", "shangmi@localhost")

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shangmi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from the npm registry at install time (no CDN: the platform
# runs on closed government networks); these map their dist folders into /static/vendor/.
STATICFILES_DIRS = [
    BASE_DIR / "shangmi" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/hash-wasm", NODE_MODULES / "hash-wasm" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from their sources: no collectstatic step on a laptop install.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("SHANGMI_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
SHANGMI_IMPORT_MAX_BYTES = env_int("SHANGMI_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
# Imports larger than this many rows run as a background job with a progress bar.
SHANGMI_IMPORT_SYNC_ROWS = env_int("SHANGMI_IMPORT_SYNC_ROWS", 2000)
# Limits every spreadsheet is checked against before it is parsed (core.spreadsheets): a
# crafted file is refused with a message instead of exhausting the server. The row limit is
# twice the 100,000-row registry file the import is built for; cells bound the grid the
# parser lays out (rows x columns up to the last cell any reference names).
SHANGMI_IMPORT_MAX_ROWS = env_int("SHANGMI_IMPORT_MAX_ROWS", 200_000)
SHANGMI_IMPORT_MAX_COLUMNS = env_int("SHANGMI_IMPORT_MAX_COLUMNS", 256)
SHANGMI_IMPORT_MAX_CELLS = env_int("SHANGMI_IMPORT_MAX_CELLS", 6_000_000)
SHANGMI_IMPORT_MAX_MEMBERS = env_int("SHANGMI_IMPORT_MAX_MEMBERS", 1000)
SHANGMI_IMPORT_MAX_MEMBER_BYTES = env_int("SHANGMI_IMPORT_MAX_MEMBER_BYTES", 256 * 1024 * 1024)
SHANGMI_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("SHANGMI_IMPORT_MAX_UNCOMPRESSED_BYTES", 512 * 1024 * 1024)
# Sheet XML compresses 10-50 times; a member over 1 MB that inflates more than this is a bomb.
SHANGMI_IMPORT_MAX_RATIO = env_int("SHANGMI_IMPORT_MAX_RATIO", 200)
SHANGMI_IMPORT_MAX_LINE_BYTES = env_int("SHANGMI_IMPORT_MAX_LINE_BYTES", 1024 * 1024)
# The parse runs in a child process with this much address space and this much time.
SHANGMI_IMPORT_MEMORY_MB = env_int("SHANGMI_IMPORT_MEMORY_MB", 2048)
SHANGMI_IMPORT_PARSE_SECONDS = env_int("SHANGMI_IMPORT_PARSE_SECONDS", 300)
# Images (visit photos) larger than this many pixels are refused before decoding: a 48 MP
# phone photo passes, a 9000 x 9000 decompression bomb does not.
SHANGMI_IMAGE_MAX_PIXELS = env_int("SHANGMI_IMAGE_MAX_PIXELS", 50_000_000)
# Public clue reports (shangmi/enforcement) accepted from one address per hour.
SHANGMI_CLUE_HOURLY_LIMIT = env_int("SHANGMI_CLUE_HOURLY_LIMIT", 5)

# --- Background jobs ------------------------------------------------------------------------
# The database backend needs no other server: `manage.py db_worker` runs the jobs, and
# `make run` starts one beside the web server.
TASKS = {
    "default": {
        "BACKEND": env_str("SHANGMI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Every worker writes a heartbeat this often; a worker not seen for the stale limit is taken
# for dead: /health/ stops counting it and the reaper fails the tasks it left running.
SHANGMI_WORKER_HEARTBEAT_SECONDS = env_int("SHANGMI_WORKER_HEARTBEAT_SECONDS", 10)
SHANGMI_WORKER_STALE_SECONDS = env_int("SHANGMI_WORKER_STALE_SECONDS", 60)

# --- Evidence deposit -------------------------------------------------------------------------
# The log's Ed25519 signing key lives in a file outside the database (a database dump must not
# be enough to forge checkpoints); `manage.py evidence_init` creates it at install.
SHANGMI_EVIDENCE_KEY_FILE = Path(env_str("SHANGMI_EVIDENCE_KEY_FILE", str(VAR_DIR / "keys" / "evidence-log.key")))
# Beside that file the signer keeps its memory of what it signed (<key>.state.json, .leaves,
# .checkpoints): back the whole directory up, the key with it or apart.
# The public key the audit expects ("<name>+<hash>+<key>", as /evidence/log/key/ shows it);
# empty means the one the signer remembers. A key file replaced behind its back is a finding.
SHANGMI_EVIDENCE_PUBLIC_KEY = env_str("SHANGMI_EVIDENCE_PUBLIC_KEY", "")
# The log's name in its checkpoints; fixed for the log's whole life once the first checkpoint is out.
SHANGMI_EVIDENCE_ORIGIN = env_str("SHANGMI_EVIDENCE_ORIGIN", "shangmi.local/evidence/v1")
# Deposits sequenced per batch (one checkpoint each).
SHANGMI_EVIDENCE_BATCH = env_int("SHANGMI_EVIDENCE_BATCH", 10000)
# Witnesses that cosign each checkpoint (C2SP tlog-witness): "<witness key> <URL>, <key> <URL>";
# the cosignatures are published in the checkpoint's note and copied into receipts.
SHANGMI_EVIDENCE_WITNESSES = witnesses_from_env("SHANGMI_EVIDENCE_WITNESSES")
SHANGMI_EVIDENCE_WITNESS_TIMEOUT = env_int("SHANGMI_EVIDENCE_WITNESS_TIMEOUT", 10)
# An RFC 3161 timestamp authority for checkpoints; empty means none.
SHANGMI_EVIDENCE_TSA_URL = env_str("SHANGMI_EVIDENCE_TSA_URL", "")
# Where the verification page and QR codes point (the public address of this platform); empty
# means the address the reader used. A loopback address is never printed as a QR code
# (shangmi/pdf/links.py).
SHANGMI_PUBLIC_URL = env_str("SHANGMI_PUBLIC_URL", "")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shangmi.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shangmi.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shangmi API",
    "DESCRIPTION": "Trade secret protection platform: regions and enterprise registry.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shangmi.core.api_schema.add_error_responses",
        "shangmi.core.api_schema.forbid_null_characters",
    ],
}

# Logs go to standard error; SHANGMI_LOG_FORMAT=json writes one JSON object a line (what a
# log collector reads), "text" the usual lines a person reads.
SHANGMI_LOG_FORMAT = env_str("SHANGMI_LOG_FORMAT", "text")
if SHANGMI_LOG_FORMAT not in ("text", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"SHANGMI_LOG_FORMAT={SHANGMI_LOG_FORMAT!r} must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "shangmi.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": SHANGMI_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("SHANGMI_LOG_LEVEL", "WARNING")},
}
