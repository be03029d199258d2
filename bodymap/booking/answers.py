"""The scheduler's last answer, kept a minute, and one asker at a time: so 50 page loads a minute make at most two
scheduler calls, however many workers and servers share the work.

Answers are kept in Redis when RATELIMIT_STORAGE_URI names it (every worker and server then shares one answer), else
in this process's memory. Whoever finds no fresh answer claims the look (`SET NX` in Redis, a lock in memory) and
asks; the others show the answer they have while it is younger than STALE_SECONDS, or wait for the new one as long
as the asker may take. A failure is an answer too, kept the same minute: a scheduler that is down is asked once a
minute, not once a page.

Redis that does not answer within REDIS_TIMEOUT_SECONDS is left alone for REDIS_RETRY_SECONDS: this process keeps
its answers in memory meanwhile (one warning a minute in the log), so a hung Redis costs a page at most one timeout.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bodymap.web.log_filters import OncePerMinute

KEEP_SECONDS = 60  # an answer is the app's own for a minute
STALE_SECONDS = 600  # an older answer may stand in while another process asks; older still, it is dropped
CLAIM_SECONDS = 5  # longer than any look takes: a process that died while asking frees the claim by then
WAIT_STEP_SECONDS = 0.05
REDIS_TIMEOUT_SECONDS = 0.2
REDIS_RETRY_SECONDS = 30
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")  # as RATELIMIT_STORAGE_URI names a Redis

STORE_LOGGER = "bodymap.booking.store"
STORE_DOWN_WARNING = "The free times' store in Redis cannot be reached: this process keeps them in memory for now."


@dataclass(frozen=True)
class Answer:
    """What the scheduler said when it was last asked: its times (UTC), or why it could not be used."""

    at: float  # when it was asked, in seconds since the epoch (the app's clock)
    times: tuple[datetime.datetime, ...] | None  # None: the scheduler could not be used
    problem: str = ""  # why not, in an operator's words

    def age(self, now: float) -> float:
        return now - self.at

    def dumps(self) -> str:
        times = None if self.times is None else [t.isoformat() for t in self.times]
        return json.dumps({"at": self.at, "times": times, "problem": self.problem})

    @classmethod
    def loads(cls, text: Any) -> Answer | None:
        """An answer as `dumps` wrote it; anything else (another version's, a stranger's) is no answer."""
        try:
            data = json.loads(text)
            times = data["times"]
            return cls(
                float(data["at"]),
                None if times is None else tuple(datetime.datetime.fromisoformat(t) for t in times),
                str(data["problem"]),
            )
        except (ValueError, TypeError, KeyError):
            return None


class Memory:
    """Answers and claims in this process's memory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, Answer] = {}
        self.claims: dict[str, float] = {}

    def get(self, key: str) -> Answer | None:
        with self.lock:
            return self.answers.get(key)

    def put(self, key: str, answer: Answer) -> None:
        with self.lock:
            self.answers[key] = answer

    def claim(self, key: str) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.claims.get(key, 0.0) > now:
                return False
            self.claims[key] = now + CLAIM_SECONDS
            return True

    def release(self, key: str) -> None:
        with self.lock:
            self.claims.pop(key, None)


class Redis:
    """Answers and claims in Redis, shared by every worker and server; each command gets REDIS_TIMEOUT_SECONDS."""

    def __init__(self, url: str, prefix: str) -> None:
        if url.startswith("redis+unix://"):
            url = "unix://" + url.removeprefix("redis+unix://")
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # a slow Redis is not asked twice on a patient's time
        )
        self.prefix = prefix

    def get(self, key: str) -> Answer | None:
        return Answer.loads(self.client.get(self.prefix + key) or "null")

    def put(self, key: str, answer: Answer) -> None:
        self.client.set(self.prefix + key, answer.dumps(), ex=STALE_SECONDS)

    def claim(self, key: str) -> bool:
        return bool(self.client.set(self.prefix + key + ":asking", "1", nx=True, px=CLAIM_SECONDS * 1000))

    def release(self, key: str) -> None:
        self.client.delete(self.prefix + key + ":asking")


class Shared:
    """Redis while it answers, this process's memory while it does not (Redis is tried again after a while)."""

    def __init__(self, storage_uri: str, prefix: str) -> None:
        self.redis = Redis(storage_uri, prefix) if storage_uri.startswith(REDIS_SCHEMES) else None
        self.memory = Memory()
        self.redis_back_at = 0.0  # monotonic: when to try Redis again after it failed
        logger = logging.getLogger(STORE_LOGGER)
        if not any(isinstance(f, OncePerMinute) for f in logger.filters):
            logger.addFilter(OncePerMinute())

    def _do(self, name: str, *args: Any) -> Any:
        if self.redis is not None and time.monotonic() >= self.redis_back_at:
            try:
                return getattr(self.redis, name)(*args)
            except redis.RedisError:
                self.redis_back_at = time.monotonic() + REDIS_RETRY_SECONDS
                logging.getLogger(STORE_LOGGER).warning(STORE_DOWN_WARNING)
        return getattr(self.memory, name)(*args)

    def get(self, key: str) -> Answer | None:
        return self._do("get", key)

    def put(self, key: str, answer: Answer) -> None:
        self._do("put", key, answer)

    def claim(self, key: str) -> bool:
        return self._do("claim", key)

    def release(self, key: str) -> None:
        self._do("release", key)


def current(store: Shared, key: str, now: float, ask, wait_seconds: float) -> Answer | None:
    """The answer to show now: the kept one while it is fresh, else a new one (asked by this process when no other
    is asking). `ask()` returns a new Answer. None only when another process is asking and has nothing to show yet,
    and did not answer within `wait_seconds`."""
    kept = store.get(key)
    if kept is not None and kept.age(now) < KEEP_SECONDS:
        return kept
    if store.claim(key):
        try:
            answer = ask()
            store.put(key, answer)
            return answer
        finally:
            store.release(key)
    if kept is not None and kept.age(now) < STALE_SECONDS:
        return kept  # another process is asking: its answer will be here by the next page
    waited_until = time.monotonic() + wait_seconds
    while time.monotonic() < waited_until:
        time.sleep(WAIT_STEP_SECONDS)
        kept = store.get(key)
        if kept is not None and kept.age(now) < KEEP_SECONDS:
            return kept
    return None
