"""Settings from the environment, checked once at start-up with a clear message."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import urllib.parse
from pathlib import Path

from gunicorn.errors import AppImportError

from bodymap import resources


class StartupError(AppImportError):
    """The app cannot start as configured: its message says why, and that is all an operator needs to read.

    `flask` commands print it as an error (exit 1). gunicorn prints an AppImportError's message without a
    traceback and stops, so a worker that cannot start says only this."""


class ConfigError(StartupError):
    """A setting in the environment cannot be used."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _whole_number(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    if maximum is not None and int(value) > maximum:
        raise ConfigError(f"{name} must be a whole number of at most {maximum}, not {value!r}")
    return int(value)


def instance_path() -> str | None:
    """The instance folder (the secret key, SQLite's database): INSTANCE_PATH when set; in a checkout its own
    `instance/`; for an installed package, Flask's default (`<prefix>/var/bodymap-instance`)."""
    if os.environ.get("INSTANCE_PATH"):
        return os.environ["INSTANCE_PATH"]
    return None if resources.INSTALLED else str(resources.PACKAGE.parent / "instance")


def content_path() -> Path:
    """The clinic's content file: CONTENT_PATH when set, else the one shipped with the app (data/regions.yaml).

    Read on its own by the content check, which runs when the app cannot start."""
    return Path(os.environ.get("CONTENT_PATH") or resources.SHIPPED_CONTENT)


ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")


def _origins(name: str) -> tuple[str, ...]:
    """Origins such as 'https://www.example.com', separated by spaces or commas."""
    origins = tuple(o.rstrip("/").lower() for o in re.split(r"[\s,]+", os.environ.get(name, "")) if o)
    for origin in origins:
        if not ORIGIN.match(origin):
            raise ConfigError(f"{name}: {origin!r} is not an origin like https://www.example.com (no path)")
    return origins


@contextlib.contextmanager
def private_files():
    """Files and folders made inside are readable by this user alone from their first byte (umask 077)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _folder(name: str) -> str:
    """A folder that exists, or '' when the setting is not given."""
    value = os.environ.get(name, "").strip()
    if value and not Path(value).is_dir():
        raise ConfigError(f"{name}: {value!r} is not a folder")
    return value


def clinic_assets_path() -> str:
    """CLINIC_ASSETS_PATH: a folder outside the code for the clinic's own files (its logo), or '' for static/.

    Read on its own by the content check, which checks the logo is there."""
    return _folder("CLINIC_ASSETS_PATH")


def instance_folder(instance_path: str) -> None:
    """Create the instance folder, which holds the secret key and the patients' database, as 0700."""
    with private_files():
        Path(instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file as 0600 before SQLite does (it would use 0644); its WAL files follow its mode."""
    match = re.match(r"^sqlite(?:\+\w+)?:///(?P<path>[^?]+)", url)
    if not match or match["path"] == ":memory:":
        return
    # Already there (its mode is its owner's choice), or in a folder that does not exist (SQLite will say so).
    with private_files(), contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(match["path"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _host_names(name: str) -> tuple[str, ...]:
    """Host names such as 'clinic.example', separated by spaces or commas."""
    names = tuple(n.lower() for n in re.split(r"[\s,]+", os.environ.get(name, "")) if n)
    for host in names:
        if not HOST_NAME.match(host):
            raise ConfigError(f"{name}: {host!r} is not a host name like www.clinic.example (no scheme, port or path)")
    return names


def served_hosts(public_url: str, allowed_hosts: tuple[str, ...]) -> tuple[str, ...]:
    """The host names this site answers to: PUBLIC_URL's host, or loopback only when it is unset, and ALLOWED_HOSTS."""
    own = (public_url.split("://", 1)[1].split(":", 1)[0],) if public_url else LOOPBACK_HOSTS
    return tuple(dict.fromkeys((*own, *allowed_hosts)))


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, the same for every worker on this machine.

    Several servers behind a load balancer must share one: set SECRET_KEY.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        temporary = path.with_name(f".secret_key.{os.getpid()}")
        with private_files():
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)  # atomic: if another worker won the race, use its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


SMTP_PORTS = {"smtp": 587, "smtps": 465}  # STARTTLS on 587, TLS from the first byte on 465
EMAIL_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")


def _redacted(url: str) -> str:
    """An SMTP URL with its password hidden, fit for an error message."""
    return re.sub(r"(//[^/@:]*:)[^@/]*@", r"\1***@", url)


def _smtp_url(name: str) -> str:
    """A mail server: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    example = "smtp://user:password@mail.example:587 (STARTTLS) or smtps://user:password@mail.example:465 (TLS)"
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in SMTP_PORTS or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigError(f"{name} must look like {example}, not {_redacted(value)!r}")
    return value


def _addresses(name: str) -> tuple[str, ...]:
    """Email addresses separated by commas."""
    addresses = tuple(a.strip() for a in os.environ.get(name, "").split(",") if a.strip())
    for address in addresses:
        if not EMAIL_ADDRESS.match(address):
            raise ConfigError(f"{name}: {address!r} is not an email address like desk@clinic.example (commas between)")
    return addresses


def _mail() -> dict:
    """The front desk's emails: both SMTP_URL and DESK_EMAIL, or neither (requests are queued either way)."""
    smtp_url, desk = _smtp_url("SMTP_URL"), _addresses("DESK_EMAIL")
    if smtp_url and not desk:
        raise ConfigError("DESK_EMAIL is empty while SMTP_URL is set: name who gets the emails (desk@clinic.example)")
    if desk and not smtp_url:
        raise ConfigError(
            "SMTP_URL is empty while DESK_EMAIL is set: name the mail server, e.g. smtp://mail.example:587"
        )
    if smtp_url and not _origins("PUBLIC_URL"):
        raise ConfigError("PUBLIC_URL is empty while SMTP_URL is set: the emails link to the queue at that address")
    sender = _addresses("MAIL_FROM")
    if len(sender) > 1:
        raise ConfigError("MAIL_FROM must be one address, the one the emails come from")
    return {
        "SMTP_URL": smtp_url,
        "DESK_EMAIL": desk,
        "MAIL_FROM": (sender or desk or ("",))[0],
        "REMINDER_AFTER_MINUTES": _whole_number("REMINDER_AFTER_MINUTES", 120, minimum=0),
        "NOTIFY_INTERVAL_SECONDS": _whole_number("NOTIFY_INTERVAL_SECONDS", 15),
    }


LOG_FORMATS = ("json", "text")
METRICS_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{32,256}$")
SENTRY_DSN = re.compile(r"^https?://[A-Za-z0-9]+(:[A-Za-z0-9]+)?@[a-z0-9.-]+(:\d{1,5})?(/[\w.-]+)*/\d+$", re.IGNORECASE)


def log_format(default: str = "text") -> str:
    """LOG_FORMAT: `json` (one object a line, what gunicorn.conf.py gives) or `text` (for a person at a terminal)."""
    value = os.environ.get("LOG_FORMAT", "").strip().lower() or default
    if value not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {value!r}")
    return value


def _operations() -> dict:
    """Logs, metrics and the error tracker: how the service tells its operator what it does."""
    token = os.environ.get("METRICS_TOKEN", "").strip()
    if token and not METRICS_TOKEN.match(token):
        raise ConfigError(
            "METRICS_TOKEN must be 32 to 256 letters, digits or . _ ~ + / = - (e.g. from `openssl rand -hex 32`)"
        )
    dsn = os.environ.get("SENTRY_DSN", "").strip()
    if dsn and not SENTRY_DSN.match(dsn):
        raise ConfigError("SENTRY_DSN must look like https://key@sentry.example/123 (the project's DSN)")
    metrics_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if metrics_folder and not Path(metrics_folder).is_dir():
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR must be a folder that exists, not {metrics_folder!r}")
    return {
        "LOG_FORMAT": log_format(),
        "METRICS_TOKEN": token,
        "SENTRY_DSN": dsn,
        "PROMETHEUS_MULTIPROC_DIR": metrics_folder,  # set by gunicorn.conf.py: each worker's counts, added up
    }


SHARD = re.compile(r"-([a-z]{2}\d+)$")  # a Cliniko API key ends with its shard: ...-au1, ...-uk1
LOOPBACK_URL = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(/|$)")


def _api_key(name: str) -> str:
    """A scheduler's API key: one word of printable ASCII. Never repeated in a message."""
    value = os.environ.get(name, "").strip()
    if value and not re.fullmatch(r"[\x21-\x7e]+", value):
        raise ConfigError(f"{name} must be the API key alone: printable characters, no spaces or line breaks")
    return value


def cliniko_url(api_key: str) -> str:
    """Cliniko's API on the key's shard (`...-uk1`: https://api.uk1.cliniko.com/v1); a key without one is au1's."""
    shard = SHARD.search(api_key)
    return f"https://api.{shard[1] if shard else 'au1'}.cliniko.com/v1"


def _api_url(name: str, default: str) -> str:
    """A scheduler's API address: https, or http on this machine (a stand-in for tests); no user or password."""
    value = os.environ.get(name, "").strip().rstrip("/")
    if not value:
        return default
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    usable = parts is not None and bool((parts.scheme == "https" and parts.hostname) or LOOPBACK_URL.match(value))
    if not usable or "@" in parts.netloc or parts.query or parts.fragment:
        # Not repeated: a key pasted into the address must not reach a log.
        raise ConfigError(f"{name} must be an https address such as {default}, with no user, key or query in it")
    return value


def _schedulers() -> dict:
    """The schedulers' keys and addresses. The clinic's content says which scheduler, if any (`bodymap.booking`
    refuses to start when its key is missing)."""
    cliniko_key = _api_key("CLINIKO_API_KEY")
    return {
        "CLINIKO_API_KEY": cliniko_key,
        "CLINIKO_API_URL": _api_url("CLINIKO_API_URL", cliniko_url(cliniko_key)),
        "CALCOM_API_KEY": _api_key("CALCOM_API_KEY"),  # optional: a public event type's times need none
        "CALCOM_API_URL": _api_url("CALCOM_API_URL", "https://api.cal.com"),
    }


def from_environment(instance_path: str) -> dict:
    """Every setting the app reads from the environment, checked; ConfigError names the first that is wrong."""
    environ = os.environ
    return {
        "SECRET_KEY": environ.get("SECRET_KEY") or instance_secret(instance_path),
        "CONTENT_PATH": str(content_path()),
        # The last content that passed its checks, served while the content file has problems.
        "CONTENT_SNAPSHOT": str(Path(instance_path) / "content-snapshot.yaml"),
        "CLINIC_ASSETS_PATH": clinic_assets_path(),
        "SIGN_OFF_CHECK_SECONDS": _whole_number("SIGN_OFF_CHECK_SECONDS", 30, minimum=0),
        "DATABASE_URL": environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'bodymap.sqlite3'}",
        "DATABASE_BUSY_TIMEOUT_MS": _whole_number("DATABASE_BUSY_TIMEOUT_MS", 3000),  # SQLite: a lock's longest wait
        "DATABASE_TIMEOUT_SECONDS": _whole_number("DATABASE_TIMEOUT_SECONDS", 3),  # PostgreSQL: any one wait, at most
        "DATABASE_PAUSE_SECONDS": _whole_number("DATABASE_PAUSE_SECONDS", 10),  # not tried again for this long after
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", ""),  # several sites sharing one Redis
        "RETENTION_DAYS": _whole_number("RETENTION_DAYS", 90),
        "AUDIT_RETENTION_DAYS": _whole_number("AUDIT_RETENTION_DAYS", 2190, maximum=36500),  # six years; at most 100
        "VIEW_COUNTING": _flag("VIEW_COUNTING", True),
        "VIEW_COUNT_FLUSH_SECONDS": _whole_number("VIEW_COUNT_FLUSH_SECONDS", 10, minimum=0),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "EMBED_ORIGINS": _origins("EMBED_ORIGINS"),
        "PUBLIC_URL": (_origins("PUBLIC_URL") or ("",))[0],
        "ALLOWED_HOSTS": _host_names("ALLOWED_HOSTS"),  # with PUBLIC_URL's host (or loopback): see served_hosts
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0, minimum=0),
        **_mail(),
        **_operations(),
        **_schedulers(),
    }
