"""One look at a scheduler over HTTP: every request at once, the whole of it within a deadline, never retried.

httpx's own timeouts bound each connect and each read; a server that sends a byte now and then could still hold a
request for ever, so the whole look runs under one `asyncio.timeout`: when it runs out, every connection is closed
and the patient's page goes on without the times. A retry would only make the page wait longer: the next look
comes a minute later anyway (see `answers`).

What goes wrong is said in an operator's words, `Unavailable("HTTP 401: the API key was refused")`: never the
key, the request's headers or the scheduler's own words (which could repeat them).
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bodymap.booking.providers import Request, Unreadable

DEADLINE_SECONDS = 1.5  # the whole look, connect and read; the fragment answers within 2 s whatever happens
LARGEST_ANSWER = 1_000_000  # bytes: a week of times is a few kilobytes


class Unavailable(Exception):
    """The scheduler could not be used; the message says why, in words fit for a log."""


def _status(code: int) -> str:
    if code in (401, 403):
        return f"HTTP {code}: the API key was refused"
    if code == 429:
        return "HTTP 429: too many requests"
    return f"HTTP {code}"


async def _one(client: httpx.AsyncClient, request: Request) -> Any:
    async with client.stream(
        "GET", request.url, params=request.params, headers=request.headers, auth=request.auth
    ) as response:
        if response.status_code != 200:
            raise Unavailable(_status(response.status_code))
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > LARGEST_ANSWER:
                raise Unavailable("the answer was too large")
    try:
        return json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        raise Unavailable("the answer was not JSON") from None


async def _all(requests: list[Request], deadline: float) -> list[Any]:
    async with asyncio.timeout(deadline):
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
        # trust_env=False: no proxy or .netrc from the environment may see the key or send the request elsewhere.
        async with httpx.AsyncClient(timeout=deadline, limits=limits, trust_env=False) as client:
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(_one(client, request)) for request in requests]
            except ExceptionGroup as failed:
                raise _first(failed) from None
            return [task.result() for task in tasks]


def _first(group: BaseExceptionGroup) -> BaseException:
    """The first failure in a group of them (one request's is enough to say the scheduler failed)."""
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


def _run(look: Coroutine[Any, Any, list[Any]]) -> list[Any]:
    """Run the look in an event loop of its own: in this thread, or, where this thread already runs one (an async
    server, a browser driver), in a thread of its own. Either way it ends by its deadline."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(look)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="free-times") as pool:
        return pool.submit(asyncio.run, look).result()


def ask(
    requests: list[Request], read: Callable[[Any], list[datetime.datetime]], deadline: float = DEADLINE_SECONDS
) -> list[datetime.datetime]:
    """Every time the scheduler offers, in UTC, in order, each once; `Unavailable` when it cannot be used."""
    try:
        answers = _run(_all(requests, deadline))
    except TimeoutError:
        raise Unavailable(f"no answer within {deadline:g} s") from None
    except httpx.ConnectError:
        raise Unavailable("could not connect") from None
    except httpx.HTTPError as error:
        raise Unavailable(f"the connection failed ({type(error).__name__})") from None
    try:
        return sorted({time for answer in answers for time in read(answer)})
    except Unreadable as error:
        raise Unavailable(f"the answer was not what the scheduler's documentation says: {error}") from None
