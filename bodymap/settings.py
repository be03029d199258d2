"""Settings from the environment, checked once at start-up with a clear message."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


class ConfigError(Exception):
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


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


DEFAULT_CONTENT_PATH = Path(__file__).resolve().parent.parent / "data" / "regions.yaml"
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")


def _origins(name: str) -> tuple[str, ...]:
    """Origins such as 'https://www.example.com', separated by spaces or commas."""
    origins = tuple(o.rstrip("/").lower() for o in re.split(r"[\s,]+", os.environ.get(name, "")) if o)
    for origin in origins:
        if not ORIGIN.match(origin):
            raise ConfigError(f"{name}: {origin!r} is not an origin like https://www.example.com (no path)")
    return origins


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, the same for every worker on this machine.

    Several servers behind a load balancer must share one: set SECRET_KEY.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        temporary = path.with_name(f".secret_key.{os.getpid()}")
        temporary.write_text(secrets.token_hex(32))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)  # atomic: if another worker won the race, use its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Every setting the app reads from the environment, checked; ConfigError names the first that is wrong."""
    environ = os.environ
    return {
        "SECRET_KEY": environ.get("SECRET_KEY") or instance_secret(instance_path),
        "CONTENT_PATH": environ.get("CONTENT_PATH") or str(DEFAULT_CONTENT_PATH),
        "DATABASE_URL": environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'bodymap.sqlite3'}",
        "DATABASE_BUSY_TIMEOUT_MS": _whole_number("DATABASE_BUSY_TIMEOUT_MS", 5000),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RETENTION_DAYS": _whole_number("RETENTION_DAYS", 90),
        "VIEW_COUNTING": _flag("VIEW_COUNTING", True),
        "VIEW_COUNT_FLUSH_SECONDS": _whole_number("VIEW_COUNT_FLUSH_SECONDS", 10, minimum=0),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "EMBED_ORIGINS": _origins("EMBED_ORIGINS"),
        "PUBLIC_URL": (_origins("PUBLIC_URL") or ("",))[0],
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0, minimum=0),
    }
