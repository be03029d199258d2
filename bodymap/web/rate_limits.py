"""Rate limits: how often one address (or one account from one address) may do something, counted with the
`limits` library in the shared store (Redis when RATELIMIT_STORAGE_URI names it; every server behind a load
balancer must share one).

- **Exact under concurrency.** `take()` counts first and answers from the count, in one atomic step in the store
  (a window's counter incremented with INCR): sixteen posts at once against a limit of five let five through. A
  request that turns out not to count (a typo refused with 422, a correct password) gives its place back with
  `Taken.give_back()`. A refused request takes nothing.
- **A store that is down or hung never fails a request.** Each call to the store waits at most a second; on
  an error, this process counts in its own memory for RETRY_AFTER seconds, then tries the store again. The app's
  log says so once a minute, not once per request; `/readyz` says so while it lasts.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from limits import RateLimitItem, parse_many, storage, strategies
from limits.errors import StorageError

from bodymap.web.log_filters import OncePerMinute, once_a_minute  # noqa: F401 - OncePerMinute for the tests

RETRY_AFTER = 30.0  # seconds of counting in memory after the shared store failed, before it is tried again
STORE_TIMEOUT = 1  # seconds: a store that hangs instead of refusing must not hold a patient's request
STORE_DOWN_WARNING = "The rate-limit store cannot be reached: each process counts the limits in its own memory."
LOGGER = "bodymap.rate_limits"


@dataclass
class Taken:
    """The places a request took in its limits; `give_back()` returns them when the request does not count."""

    limits: RateLimits
    held: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)
    wait: int = 0  # seconds until the limit that refused lets a request through again (0: not refused)

    def __bool__(self) -> bool:
        return self.wait == 0

    def give_back(self) -> None:
        for item, key in self.held:
            self.limits.count(item, key, -1)
        self.held = []


class RateLimits:
    """One app's limits and the store they are counted in."""

    def __init__(self, app: Flask):
        self.enabled: bool = app.config["RATELIMIT_ENABLED"]
        self.prefix: str = app.config["RATELIMIT_KEY_PREFIX"]
        uri = app.config["RATELIMIT_STORAGE_URI"]
        self.memory = storage.MemoryStorage()
        shared_options = {} if uri.startswith("memory") else {"socket_timeout": STORE_TIMEOUT}
        if uri.startswith(("redis", "rediss")):
            shared_options["socket_connect_timeout"] = STORE_TIMEOUT
        self.shared = storage.storage_from_string(uri, wrap_exceptions=True, **shared_options)
        self.down_until = 0.0
        self.logger = logging.getLogger(LOGGER)  # a child of the app's logger ("bodymap"): it goes where they go
        once_a_minute(self.logger)

    @property
    def store_down(self) -> bool:
        """True while this process counts in memory because the shared store failed."""
        return time.monotonic() < self.down_until

    def _strategy(self, store) -> strategies.FixedWindowRateLimiter:
        return strategies.FixedWindowRateLimiter(store)

    def _with_store(self, work):
        """`work(strategy)` on the shared store, or on this process's memory while the shared store is down."""
        if self.shared is not self.memory and not self.store_down:
            try:
                return work(self._strategy(self.shared))
            except StorageError as error:
                self.down_until = time.monotonic() + RETRY_AFTER
                self.logger.warning("%s (%s)", STORE_DOWN_WARNING, type(error.storage_error).__name__)
        elif self.store_down:
            self.logger.warning(STORE_DOWN_WARNING)
        return work(self._strategy(self.memory))

    def _key(self, key: tuple[str, ...]) -> tuple[str, ...]:
        return (self.prefix, *key) if self.prefix else key

    def count(self, item: RateLimitItem, key: tuple[str, ...], amount: int = 1) -> bool:
        """Add `amount` to the window's count; True while it stays within the limit."""
        return self._with_store(lambda strategy: strategy.hit(item, *self._key(key), cost=amount))

    def wait(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        """Seconds until the window of `item` for `key` starts again."""
        stats = self._with_store(lambda strategy: strategy.get_window_stats(item, *self._key(key)))
        return max(1, math.ceil(stats.reset_time - time.time()))

    def take(self, limits: str, *key: str) -> Taken:
        """A place in each of `limits` ("5 per minute;20 per hour") for `key`, taken at once; none when any is full
        (what was taken is given back), with how long to wait."""
        taken = Taken(self)
        if not self.enabled:
            return taken
        for item in parse_many(limits):
            if self.count(item, key):
                taken.held.append((item, key))
                continue
            self.count(item, key, -1)  # a refused request takes no place
            wait = self.wait(item, key)
            taken.give_back()
            taken.wait = wait
            return taken
        return taken

    def over(self, limits: str, *key: str) -> bool:
        """Whether `key` has already used up any of `limits` (without taking a place)."""
        if not self.enabled:
            return False
        return any(
            self._with_store(lambda strategy, item=item: not strategy.test(item, *self._key(key)))
            for item in parse_many(limits)
        )

    def reset(self) -> None:
        """Forget every count (tests that send more than a limit allows in a run)."""
        self.memory.reset()
        if self.shared is not self.memory:
            self.shared.reset()

    def check(self) -> bool:
        """Whether the shared store answers (for /readyz): a ping, within STORE_TIMEOUT."""
        if not self.enabled:
            return True
        try:
            return bool(self.shared.check())
        except StorageError:
            return False


def current() -> RateLimits:
    return current_app.extensions["bodymap.rate_limits"]


def init_app(app: Flask) -> None:
    app.extensions["bodymap.rate_limits"] = RateLimits(app)
