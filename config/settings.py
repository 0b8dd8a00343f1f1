"""Settings for 党小组管理, read from the environment (django-environ); `.env.example` lists every variable.

Production differs from development only by environment: DEBUG is off unless asked for, and with DEBUG off a missing
SECRET_KEY or encryption key stops the start with a clear error instead of falling back to a known value.
"""

import sys
from pathlib import Path

import environ
from csp import constants as csp_constants

from core import database_role

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # existing environment variables win over the file

DEBUG = env.bool("DEBUG", default=False)


# Secrets every serving process needs; core.secrets stops the start (system check, WSGI) when one is missing.
REQUIRED_SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")


def _required(name: str, dev_default: str) -> str:
    """A secret that must come from the environment outside DEBUG; in DEBUG a fixed development value is allowed.

    Missing outside DEBUG it is left empty rather than raising here: Django swallows an error raised while settings
    load and every command then fails with a misleading "Models aren't loaded yet". Commands that need no secret
    (makemigrations, help) run; `core.secrets` refuses to serve or migrate without them, naming the variable.
    """
    value = env.str(name, default="")
    if value or not DEBUG:
        return value
    return dev_default


SECRET_KEY = _required("SECRET_KEY", "django-insecure-development-only-never-use-in-production")
# Fernet keys (urlsafe base64, 32 bytes) for ID and phone numbers at rest; the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = [
    k.strip()
    for k in _required("FIELD_ENCRYPTION_KEYS", "ZGV2ZWxvcG1lbnQtb25seS1rZXktMDEyMzQ1Njc4OWE=").split(",")
    if k.strip()
]
# HMAC key for the look-up hash stored beside each encrypted value (uniqueness and search without decrypting).
FIELD_HASH_KEY = _required("FIELD_HASH_KEY", "development-only-hash-key")
MISSING_SECRETS = [name for name in REQUIRED_SECRETS if not env.str(name, default="") and not DEBUG]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "dashboards.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",  # its system checks reject settings in the pre-4.0 format
    "simple_history",
    "pgtrigger",  # the fund ledger's PostgreSQL triggers, kept in migrations (groups/ledger/guards.py)
    "rules",  # {% load rules %} in templates; the capability table itself is township.capabilities
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",  # Django 6's tasks API (django.tasks) for Django 5.2
    "core.tasks_app.TasksDatabaseConfig",  # django_tasks_db: the job queue is a table, `make worker` runs the jobs
    # The rooms, lowest first: each imports only the ones above it in this list (`lint-imports` holds the order).
    "core",
    "audit",
    "accounts",  # logins: lockout, two-factor, session lifetime, password age (see "logins and sessions" below)
    "township",
    "members",
    "groups",
    "activity",
    "dues",  # 党费: beside organisational life, between activity and appraisal
    "orglife",  # 组织生活: beside dues (reads members, groups and the monthly reports; appraisal may read it)
    "appraisal",
    "dashboards",
    "seeding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.nostore.NoStoreForSignedInMiddleware",  # no-store on every page served to a signed-in person
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (see "deployment hardening" below)
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the app serves its own static files: no CDN, no extra server
    "core.errors.ChineseErrorPagesMiddleware",  # DEBUG on (make run): the Chinese 403/404/500 pages, not Django's
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Keeps the request being served for history rows: who (simple-history) and from where (audit.addresses).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the two-factor code was given
    "accounts.middleware.AccountGateMiddleware",  # session lifetime, then two-factor, then a forced password change
    "township.duties.SeparationOfDutiesMiddleware",  # 三员: auditor and account administrator see no business page
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# PostgreSQL with two roles (core/database_role.py): DATABASE_URL is the app's role, which owns nothing and may not
# TRUNCATE, alter tables, disable triggers, edit the ledger or set a balance; MIGRATE_DATABASE_URL is the tables'
# owner, used only by `manage.py migrate`, `flush` and `restore`. After each migrate the owner grants the app role its
# rights (DATABASE_APP_ROLE, by default the user name in DATABASE_URL). Without MIGRATE_DATABASE_URL one role does all.
MIGRATE_DATABASE_URL = env.str("MIGRATE_DATABASE_URL", default="")
DATABASE_APP_ROLE = env.str(
    "DATABASE_APP_ROLE", default=DATABASES["default"].get("USER", "") if MIGRATE_DATABASE_URL else ""
)
if MIGRATE_DATABASE_URL and database_role.owner_command(sys.argv):
    DATABASES["default"] = env.db("MIGRATE_DATABASE_URL")
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# SQLite (`make run`) under a few people at once: write-ahead logging lets readers go on while one writes, a writer
# waits up to SQLITE_BUSY_SECONDS for another instead of failing with "database is locked", and every transaction
# takes the write lock when it begins (IMMEDIATE), so a transaction that read first never fails on its first write.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": env.int("SQLITE_BUSY_SECONDS", default=20),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    # Refuses the current password as the new one; records every saved password (age, set by an administrator).
    {"NAME": "accounts.passwords.PasswordChangeValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Compressed files with content hashes in their names (far-future caching) once `collectstatic` has run, as
# `make serve` does; without a manifest (development, tests) names fall back to the plain ones.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# Django's database sessions, read with a statement written once (accounts/session_store.py)
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)

# --- deployment hardening (HTTPS, HSTS, Content-Security-Policy) ---
# Behind a TLS-terminating proxy, the request header that marks a request as HTTPS, as "HEADER" or "HEADER,value"
# (value defaults to https). nginx: `proxy_set_header X-Forwarded-Proto $scheme;` → HTTP_X_FORWARDED_PROTO.
# Leave it empty when no proxy overwrites that header, or any client could claim HTTPS.
_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = (_ssl_header[0], (_ssl_header[1:] or ["https"])[0]) if _ssl_header else None
# Answer plain-HTTP requests with a redirect to HTTPS. On unless DEBUG; `make serve` on loopback and the tests turn
# it off. Behind nginx it needs SECURE_PROXY_SSL_HEADER, or every request looks like plain HTTP (a redirect loop).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS: browsers that saw an HTTPS response use only HTTPS on this host for this many seconds (0 = off). It is sent
# on HTTPS responses only, so plain-HTTP development is unaffected. Lower it only while first trying HTTPS out.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# The same for every host name under this one (the app's host name is its own; on unless DEBUG).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Ask for the browsers' built-in HSTS list. Only for a public domain submitted to hstspreload.org, hard to undo;
# an intranet host name cannot be listed, so it is off and Django's reminder about it (security.W021) is silenced.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Covering indexes (`Index(include=…)` on MonthlyReport and FundEntry) are PostgreSQL's. SQLite has no INCLUDE: Django
# builds the plain index there, which serves, and warns that the extra columns are ignored (models.W040). Silenced
# on SQLite only, so the warning still speaks for any other database that lacks them.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# A page opened from this site cannot reach back into it through window.opener (Django's default, stated here).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy: scripts, styles, fonts and connections from this site only, no inline script, style
# attribute or event handler (templates use classes in static CSS and static JS files); images from here or data:
# URIs; no plugins, no <base> elsewhere, forms post only here, and no site may frame these pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}

# --- logins and sessions (accounts app; 等保 2.0 8.1.4.1, ASVS V6-V7) ---
# Lockout (django-axes, in the database so every app server sees the same counts; accounts.lockout): after
# LOGIN_FAILURE_LIMIT failed passwords or two-factor codes from one address for one account, that account is refused
# at that address only (a guesser cannot lock the owner out, nor an office behind one NAT address), for
# LOGIN_LOCKOUT_MINUTES, doubled for each earlier lock of the same pair within a day (at most
# LOGIN_LOCKOUT_MAX_MINUTES).
# The end of a lock is fixed when it starts: tries made while locked are refused without being counted.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    # Who may do what: the capability table (township.capabilities), asked as user.has_perm("ledger.write", village).
    "rules.permissions.ObjectPermissionBackend",
    "township.backends.ModelPermissionBackend",  # Django's ModelBackend, not asked about capabilities
]
AXES_ENABLED = True
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
LOGIN_LOCKOUT_MAX_MINUTES = env.int("LOGIN_LOCKOUT_MAX_MINUTES", default=24 * 60)
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"  # progressive: LOGIN_LOCKOUT_MINUTES × 2^(earlier locks today)
AXES_USE_ATTEMPT_EXPIRATION = True  # each attempt row keeps its own end, so one pair's cool-off never cuts another's
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a fixed window: tries while locked do not extend it
# Not on the password alone: accounts.lockout.clear() forgets the failures once the login is complete, which for a
# staff account is after the two-factor code, so a known password does not buy fresh guesses at the code.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "audit.addresses.client_ip"  # the same address (and proxy rule) as the audit trail
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # the Chinese page saying until when
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are kept as security events (audit app), not twice
# Sessions: logged out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login
# (accounts.middleware); the cookie ends with the browser. Sessions live in the database (shared by app servers).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=10)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Passwords older than this many days must be changed at the next page (0 = never expire).
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=90)
# `manage.py disable_unused_accounts` disables accounts not logged in for this many days.
UNUSED_ACCOUNT_DAYS = env.int("UNUSED_ACCOUNT_DAYS", default=90)
# Two-factor login (TOTP phone app + recovery codes) for every staff account and superuser. On unless DEBUG;
# production keeps it on. The demo .env and the tests turn it off.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default="党小组管理")  # the name the phone app shows for this system
# An administrator may delete a lost phone app (its owner enrols a new one at the next login) but never reads its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- audit trail (audit app) ---
# Proxies in front of the app whose X-Forwarded-For is trusted (nginx alone: 1); 0 reads REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Security events and history rows are kept at least this long (等保: ≥ 180 days).
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))
# History rows are evidence: simple-history's admin "revert" is off for everyone (township.admin_base also refuses
# a POST to a history version), so a past version can be read but never written back.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- performance benchmark (bench/, `make bench`) ---
# Adds an X-Query-Count header (SQL statements the request ran) for the benchmark. Read from the server's environment
# only; when off (the default, and always in production) the middleware is not loaded at all.
BENCH_COUNT_QUERIES = env.bool("BENCH_COUNT_QUERIES", default=False)
if BENCH_COUNT_QUERIES:
    MIDDLEWARE = ["core.querycount.QueryCountMiddleware", *MIDDLEWARE]
    ROOT_URLCONF = "bench.urls"  # the app's URLs plus the bench's one-query floor view (`make bench` only)

# --- safety: database outages, backups, uploads (issue 5) ---
# Seconds a database connection is kept between requests (0: a new one for every request). A kept connection is
# checked before reuse, so after a database restart the next request reconnects instead of failing.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Where `manage.py backup` (`make backup`) writes, and `manage.py restore` first saves the database it replaces.
# A relative path is taken from the project directory.
BACKUP_DIR = BASE_DIR / env.str("BACKUP_DIR", default="backups")
# Roster import (.xlsx): the largest file accepted, and the limits checked on the zip directory before the workbook
# is opened (an .xlsx is a zip): how many parts, how much they unpack to, and how much one part may be compressed
# (a real sheet compresses 5–20 times; a "zip bomb" thousands of times).
ROSTER_IMPORT_MAX_BYTES = env.int("ROSTER_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
ROSTER_IMPORT_MAX_PARTS = env.int("ROSTER_IMPORT_MAX_PARTS", default=200)
ROSTER_IMPORT_MAX_UNPACKED_BYTES = env.int("ROSTER_IMPORT_MAX_UNPACKED_BYTES", default=60 * 1024 * 1024)
ROSTER_IMPORT_MAX_RATIO = env.int("ROSTER_IMPORT_MAX_RATIO", default=100)
# Every upload (issue 14): its size is checked as it arrives, before anything is written: a larger file is dropped
# unread (core.uploads) and an accepted one stays in memory, never in a temporary file. Roster files waiting for
# their importer's confirmation are removed after ROSTER_IMPORT_PENDING_HOURS (`manage.py purge_pending_imports`).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=ROSTER_IMPORT_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 64 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields beside a file (Django's default, written out)
ROSTER_IMPORT_PENDING_HOURS = env.int("ROSTER_IMPORT_PENDING_HOURS", default=24)

# --- reliability: bounded waits (issue 19) ---
# A database that hangs must not hold the app servers' workers: every PostgreSQL connection gives up connecting after
# DB_CONNECT_TIMEOUT seconds, and when the server stops acknowledging what was sent (a cut network, a blackholed
# port) after DB_TCP_USER_TIMEOUT_MS; the server ends a statement after DB_STATEMENT_TIMEOUT_MS, a wait for a lock
# after DB_LOCK_TIMEOUT_MS, and a transaction left idle after DB_IDLE_IN_TRANSACTION_TIMEOUT_MS (0: no limit).
# Each such failure is answered with the 503 page (core/unavailable.py). Long jobs lift the statement limit on their
# own connection (seed_scale; `make serve` runs `migrate` with DB_STATEMENT_TIMEOUT_MS=0).
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
DB_TCP_USER_TIMEOUT_MS = env.int("DB_TCP_USER_TIMEOUT_MS", default=4000)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30000)
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=3000)
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=60000)
# Prepared statements (issue 18): PostgreSQL spent more time planning the pages' statements than running them (a
# township dashboard: ~6 ms planning, ~3 ms executing, of its 27 statements). With the parameters bound by the server
# (psycopg's server-side binding), a statement a connection has run DB_PREPARE_THRESHOLD times is prepared once and
# its plan reused by the kept connection (CONN_MAX_AGE). Off for a pooler in transaction mode (PgBouncer before 1.21),
# which cannot keep a connection's prepared statements.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
DB_PREPARE_THRESHOLD = env.int("DB_PREPARE_THRESHOLD", default=5)
# A prepared statement's plan is made once and reused (force_generic_plan). Left to itself (auto), PostgreSQL planned
# some statements afresh at every execution because their one reusable plan was estimated a little costlier than a plan
# made for the values: the township's concern queue paid 3.6 ms planning to save 0.1 ms executing, every request. The
# pages' statements ask by ids and dates spread evenly over villages, so one plan serves every value; statements run
# fewer than DB_PREPARE_THRESHOLD times on a connection (the exports' one-off reads) are still planned for their values.
DB_PLAN_CACHE_MODE = env.str("DB_PLAN_CACHE_MODE", default="force_generic_plan")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    _db_options.setdefault("tcp_user_timeout", DB_TCP_USER_TIMEOUT_MS)
    _db_options.setdefault("keepalives", 1)
    _db_options.setdefault("keepalives_idle", 30)
    _db_options.setdefault("keepalives_interval", 5)
    _db_options.setdefault("keepalives_count", 3)
    if DB_PREPARED_STATEMENTS:
        _db_options.setdefault("server_side_binding", True)
        _db_options.setdefault("prepare_threshold", DB_PREPARE_THRESHOLD)
    _db_options.setdefault(
        "options",
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS} "
        f"-c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_MS} -c jit=off"
        f" -c plan_cache_mode={DB_PLAN_CACHE_MODE}",
    )
# jit=off: PostgreSQL compiles a statement to machine code when its estimated cost passes jit_above_cost. No page here
# reads enough to gain from it; the exports' reads, estimated high, paid 0.3–0.4 s compiling for nothing (the
# province roster's read: 0.92 → 0.55 s without it, README "Issue 18 on a fourth machine").
# The member admin's search by a full ID or phone number answers whose number it is: only those who may reveal full
# numbers may use it, each search is a REVEAL event, and at most this many per person per hour.
EXACT_SEARCHES_PER_HOUR = env.int("EXACT_SEARCHES_PER_HOUR", default=20)

# --- reliability: nothing personal left behind (issue 19) ---
# The app servers' temporary files (uploads too large to keep in memory, openpyxl's sheet files while an export is
# written): one folder, emptied by `manage.py cleanup_personal_data --at-start` before the servers start and cleared
# of anything older than a day from cron (core/tempfiles.py).
APP_TEMP_DIR = env.path("APP_TEMP_DIR", default=BASE_DIR / "tmp")
FILE_UPLOAD_TEMP_DIR = str(APP_TEMP_DIR)

# --- scale: a read replica for the county's read-only pages (issue 18, config/replica.py) ---
# Set REPLICA_DATABASE_URL (a PostgreSQL streaming replica of DATABASE_URL, connected as the app's role) and the
# county overview pages read the business data there; every write, the session and the signed-in user stay on the
# primary. Unset (the default): no `replica` alias, no router, nothing changes. In tests the alias mirrors `default`.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = env.db("REPLICA_DATABASE_URL")
    for _key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "ATOMIC_REQUESTS"):
        DATABASES["replica"].setdefault(_key, DATABASES["default"][_key])
    DATABASES["replica"].setdefault("OPTIONS", dict(DATABASES["default"].get("OPTIONS", {})))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "config.replica.ReadOnlyPagesOnReplicaMiddleware"]

# --- scale: the county's figures kept a minute (issue 18, core/figures.py) ---
# The county's read-only overview pages count a whole county: their figures are kept this many seconds for the same
# reach (core/figures.py; the page says when they were counted). 0: counted on every request.
COUNTY_FIGURES_SECONDS = env.int("COUNTY_FIGURES_SECONDS", default=60)
# Kept in a table every app server shares (Django's database cache; core.apps creates it after every migrate), so a
# county's figures are counted once a minute for all of them, not once per worker process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # a day's entries for the villages visited in a province (township/changes.py; ~4,000 branches, 400 townships;
    # a branch's dashboard keeps 4, its year of meetings, dues book and standing page one each, each ledger page one:
    # ~10-20 a village) not culled at Django's default 300; not much more either: every entry written counts the
    # table's rows first, and expired entries are removed only when that count passes MAX_ENTRIES
    "figures": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "core_kept_figures",
        "OPTIONS": {"MAX_ENTRIES": 60_000},
    },
}
# A branch's and a township's to-do figures (organisational life, dues arrears, branches missing a meeting) and a
# township's party-group warnings are kept until a village's data changes (the database's triggers count every
# change: township/changes.py) or the day ends. False: counted on every request.
VILLAGE_FIGURES_KEPT = env.bool("VILLAGE_FIGURES_KEPT", default=True)

# --- long work off the request: jobs (issue 18, audit/jobs.py) ---
# JOBS_BACKEND=database: a job is a row in the database (django-tasks' DatabaseBackend), run by `make worker`
# (`manage.py run_jobs`); the default on PostgreSQL. JOBS_BACKEND=inline: the job runs in the request that starts it
# (django-tasks' ImmediateBackend); the default on SQLite, so `make run` needs no worker, and the tests' setting.
JOBS_BACKEND = env.str(
    "JOBS_BACKEND", default="inline" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "database"
)
TASKS = {
    "default": {
        "BACKEND": {
            "inline": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[JOBS_BACKEND]
    }
}
# A running job whose worker has not reported progress for this long is taken as dead (killed, the machine restarted):
# it is queued again (at most JOB_MAX_ATTEMPTS runs in all), else it fails and offers 重试.
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=120)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
