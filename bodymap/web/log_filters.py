"""One warning a minute: an outage (the rate-limit store down, a scheduler that does not answer) writes a line when it
starts and one a minute while it lasts, never one per request."""

from __future__ import annotations

import logging
import threading
import time


class OncePerMinute(logging.Filter):
    """Lets through one warning (or worse) a minute, so an outage does not write a line per request."""

    def __init__(self, seconds: float = 60.0):
        super().__init__()
        self.seconds = seconds
        self.last = float("-inf")
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.seconds:
                return False
            self.last = now
            return True


def once_a_minute(logger: logging.Logger) -> logging.Logger:
    """`logger` with a OncePerMinute filter (added once, however many apps a process builds)."""
    if not any(isinstance(f, OncePerMinute) for f in logger.filters):
        logger.addFilter(OncePerMinute())
    return logger
