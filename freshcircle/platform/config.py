"""Configuration: defaults, overridden by environment variables (see README) or a test mapping."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path


def _default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "freshcircle.db")


def _choice(env, name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, choices[0])
    if value not in choices:
        raise RuntimeError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


MIN_IDEMPOTENCY_DAYS = 30


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, the environment, then explicit overrides."""
    env = os.environ
    config = {
        "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or _default_database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh", "en"),
        # Phones upload photos; the page downsizes them first, this is the hard ceiling.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "12")) * 1024 * 1024,
        "MAX_FILE_BYTES": int(env.get("MAX_FILE_MB", "8")) * 1024 * 1024,
        # Uploaded files and label PDFs live here, out of the database (content-addressed).
        "FILES_DIR": env.get("FRESHCIRCLE_FILES_DIR") or str(Path(instance_path) / "files"),
        # Or an S3-compatible bucket (credentials: the usual AWS_* settings).
        "FILES_S3_BUCKET": env.get("FRESHCIRCLE_FILES_S3_BUCKET") or None,
        "FILES_S3_ENDPOINT_URL": env.get("FRESHCIRCLE_FILES_S3_ENDPOINT_URL") or None,
        "FILES_S3_PREFIX": env.get("FRESHCIRCLE_FILES_S3_PREFIX", ""),
        # Orphan blobs younger than this are kept by `flask clean-orphan-files`.
        "FILES_ORPHAN_GRACE_SECONDS": int(env.get("FRESHCIRCLE_FILES_ORPHAN_GRACE_SECONDS",
                                                  "86400")),
        # Cookies (security.py): HttpOnly, SameSite=Lax, and Secure on every HTTPS request
        # ("auto"; plain HTTP in development is the one exception) or on every request
        # ("always"). A sign-in is remembered for 30 days at most.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "COOKIE_SECURE": _choice(env, "FRESHCIRCLE_COOKIE_SECURE", ("auto", "always")),
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted
        # (make serve behind TLS: 1); 0 trusts none.
        "PROXY_COUNT": int(env.get("FRESHCIRCLE_PROXY_COUNT", "0")),
        # Failed sign-ins (page and API together) per mobile number and per network (/24 or
        # /48) within the window; counted in Redis when a URL is set, else in memory.
        "RATELIMIT_ENABLED": env.get("FRESHCIRCLE_RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_STORAGE_URI": (env.get("FRESHCIRCLE_RATELIMIT_STORAGE_URL")
                                  or env.get("FRESHCIRCLE_REDIS_URL") or "memory://"),
        "SIGN_IN_FAILURES_PER_PHONE": int(env.get("FRESHCIRCLE_SIGN_IN_FAILURES_PER_PHONE", "10")),
        "SIGN_IN_FAILURES_PER_NETWORK": int(
            env.get("FRESHCIRCLE_SIGN_IN_FAILURES_PER_NETWORK", "50")),
        "SIGN_IN_WINDOW_MINUTES": int(env.get("FRESHCIRCLE_SIGN_IN_WINDOW_MINUTES", "15")),
        "WTF_CSRF_TIME_LIMIT": None,
        # Static URLs carry a content hash (static_assets.py), so they may be cached for a year;
        # every other send_file in the app passes its own max_age.
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # Pages, style, scripts and JSON go compressed (gzip/brotli/zstd, as the phone accepts:
        # Flask-Compress): a farmer's first visit on 2G is a third of the bytes (bench/offline.py).
        # The CSRF token in a page is re-signed with the time on each render, which keeps a
        # compressed page from leaking it (BREACH) by repetition.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/json",
                               "application/manifest+json", "image/svg+xml"],
        "COMPRESS_MIN_SIZE": 512,
        # Streamed bodies pass through as they are (Flask-Compress's streaming leaves the file
        # open); static files are small and made whole first (static_assets.py).
        "COMPRESS_STREAMS": False,
        # Traceability: codes point at https://TRACE_DOMAIN/01/...; GTINs come from the GS1
        # company prefix (952... is reserved for demonstrations); signing keys as
        # "kid=base64url,kid2=..." (unset: one key generated into the instance folder).
        "TRACE_DOMAIN": env.get("FRESHCIRCLE_TRACE_DOMAIN", "id.freshcircle.example"),
        "GS1_COMPANY_PREFIX": env.get("FRESHCIRCLE_GS1_PREFIX", "952000"),
        "SIGNING_KEYS": env.get("FRESHCIRCLE_SIGNING_KEYS"),
        "SIGNING_KEY_CURRENT": env.get("FRESHCIRCLE_SIGNING_KEY_CURRENT"),
        # Consumer scans: a serial scanned at least SCAN_COPY_MIN_SCANS times from at least
        # SCAN_COPY_MIN_NETWORKS networks (/24 or /48) within the window looks copied.
        "SCAN_COPY_WINDOW_HOURS": float(env.get("FRESHCIRCLE_SCAN_COPY_WINDOW_HOURS", "24")),
        "SCAN_COPY_MIN_SCANS": int(env.get("FRESHCIRCLE_SCAN_COPY_MIN_SCANS", "5")),
        "SCAN_COPY_MIN_NETWORKS": int(env.get("FRESHCIRCLE_SCAN_COPY_MIN_NETWORKS", "3")),
        # The scan page reuses a batch's rendered story for this many seconds (0: never); the
        # verdict, recall/hold banner and copied-code warning are always current (see
        # trace/services/consumer_story.py for what may be this old).
        "SCAN_STORY_CACHE_SECONDS": float(env.get("FRESHCIRCLE_SCAN_STORY_CACHE_SECONDS", "30")),
        # With Redis: how long the scan page's front may answer from a page it keeps even if
        # no lot version change reached it (trace/pages/scan_front.py; a backstop).
        # PostgreSQL: scans partitioned by month; partitions made this many months ahead, and
        # months older than the retention dropped by `flask scan-partitions` (0 keeps all).
        "SCAN_PARTITIONS_AHEAD": int(env.get("FRESHCIRCLE_SCAN_PARTITIONS_AHEAD", "3")),
        "SCAN_RETENTION_MONTHS": int(env.get("FRESHCIRCLE_SCAN_RETENTION_MONTHS", "24")),
        "SCAN_PAGE_CACHE_SECONDS": float(env.get("FRESHCIRCLE_SCAN_PAGE_CACHE_SECONDS", "30")),
        # smtp://user:password@host:587 (STARTTLS) or smtps://...:465; unset: no e-mail.
        "SMTP_URL": env.get("FRESHCIRCLE_SMTP_URL") or None,
        "MAIL_FROM": env.get("FRESHCIRCLE_MAIL_FROM", "FreshCircle <noreply@freshcircle.example>"),
        "MARKET_RESULTS_CACHE_SECONDS": float(
            env.get("FRESHCIRCLE_MARKET_RESULTS_CACHE_SECONDS", "3600")),
        # The public showcase (阜阳好物): each process reads the data version at most once per
        # SHOWCASE_VERSION_SECONDS; shared caches keep a page SHOWCASE_MAX_AGE seconds and may
        # serve it stale while revalidating for SHOWCASE_STALE_WHILE_REVALIDATE more.
        "SHOWCASE_VERSION_SECONDS": float(env.get("FRESHCIRCLE_SHOWCASE_VERSION_SECONDS", "1")),
        "SHOWCASE_MAX_AGE": int(env.get("FRESHCIRCLE_SHOWCASE_MAX_AGE", "60")),
        "SHOWCASE_STALE_WHILE_REVALIDATE": int(
            env.get("FRESHCIRCLE_SHOWCASE_STALE_WHILE_REVALIDATE", "300")),
        # Label runs up to LABEL_SYNC_MAX labels render inside the request; larger ones in a
        # background thread that commits its progress every LABEL_PROGRESS_EVERY labels.
        # LABEL_JOBS_SYNC (tests) renders those at once too, in the request's session.
        "LABEL_SYNC_MAX": int(env.get("FRESHCIRCLE_LABEL_SYNC_MAX", "1000")),
        "LABEL_PROGRESS_EVERY": 500,
        "LABEL_JOBS_SYNC": False,
        # QR encoding processes for a background run (None: one per CPU for long runs, see
        # traceability.labels); runs inside a request always encode in the web process.
        "LABEL_JOB_WORKERS": None,
        # Dispatch planning: travel from an OSRM-compatible server at this URL (unset: the
        # road estimate); plans run as RQ jobs on this Redis (unset: a thread in the web
        # process). DISPATCH_JOBS_SYNC (tests) plans at once, inside the request.
        "OSRM_URL": env.get("FRESHCIRCLE_OSRM_URL") or None,
        # The maps' base layer (web/map_tiles.py): unset draws the shipped outlines; an
        # OSM-compatible URL template, or tianditu:KEY. MAP_DATUM wgs84 or gcj02 (unset: from
        # the host: 高德 and 腾讯 are GCJ-02).
        "MAP_TILES": env.get("FRESHCIRCLE_MAP_TILES") or None,
        "MAP_SUBDOMAINS": env.get("FRESHCIRCLE_MAP_SUBDOMAINS") or None,
        "MAP_ATTRIBUTION": env.get("FRESHCIRCLE_MAP_ATTRIBUTION") or None,
        "MAP_DATUM": env.get("FRESHCIRCLE_MAP_DATUM") or None,
        "REDIS_URL": env.get("FRESHCIRCLE_REDIS_URL") or None,
        # /metrics (Prometheus) answers only a scrape with this bearer token; unset: 404.
        "METRICS_TOKEN": env.get("FRESHCIRCLE_METRICS_TOKEN") or None,
        "DISPATCH_JOBS_SYNC": False,
        # A new buyer site's arrival-index rows are written by a background job once it is
        # committed (market/services/arrival_jobs.py), not by its first search; tests: off.
        "ARRIVAL_INDEX_PREBUILD": env.get("FRESHCIRCLE_ARRIVAL_INDEX_PREBUILD", "1") != "0",
        "DISPATCH_MAX_ITERATIONS": None,  # tests: stop the search early, deterministically
        # Daily quotas (China's calendar day) on work every tenant shares: dispatch plans and
        # label runs per producer, producers a user registers (admins are not limited).
        "DISPATCH_PLANS_PER_DAY": int(env.get("FRESHCIRCLE_DISPATCH_PLANS_PER_DAY", "50")),
        "LABEL_RUNS_PER_DAY": int(env.get("FRESHCIRCLE_LABEL_RUNS_PER_DAY", "200")),
        "PRODUCERS_PER_USER_PER_DAY": int(
            env.get("FRESHCIRCLE_PRODUCERS_PER_USER_PER_DAY", "5")),
        # How long a create request's Idempotency-Key is kept (a phone's outbox may replay a
        # record weeks later); `flask purge-idempotency-keys` drops older ones. At least 30.
        "IDEMPOTENCY_DAYS": int(env.get("FRESHCIRCLE_IDEMPOTENCY_DAYS", "30")),
        # flask-smorest / OpenAPI
        "API_TITLE": "FreshCircle API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearer": []}, {"session": []}],
        },
    }
    if overrides:
        config.update(overrides)
    if config["IDEMPOTENCY_DAYS"] < MIN_IDEMPOTENCY_DAYS:
        raise RuntimeError(
            f"FRESHCIRCLE_IDEMPOTENCY_DAYS must be at least {MIN_IDEMPOTENCY_DAYS} (a phone may "
            f"replay its outbox weeks later), not {config['IDEMPOTENCY_DAYS']}")
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        # Use psycopg 3, the driver this project installs.
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    return config
