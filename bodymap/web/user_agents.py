"""A browser's User-Agent as a person reads it: "Firefox on Linux", "Mobile Safari on iOS".

Read with ua-parser (the browscope rules, compiled lazily: the first description in a process takes about a quarter
of a second, later ones well under a millisecond). Only the first UA_READ characters are read, so a forged header of
any length costs the same, and only the short description is ever kept.
"""

from __future__ import annotations

import functools

from ua_parser import BasicResolver, Domain, Parser, load_lazy_builtins

UA_READ = 512
LONGEST = 80  # the description's column


@functools.cache
def _parser() -> Parser:
    return Parser(BasicResolver(load_lazy_builtins()))


def device(user_agent: str | None) -> str:
    """'Chrome on Windows'; 'Unknown browser' when the header says nothing the rules know."""
    found = _parser()((user_agent or "")[:UA_READ], Domain.USER_AGENT | Domain.OS)
    browser = found.user_agent.family if found.user_agent and found.user_agent.family != "Other" else None
    system = found.os.family if found.os and found.os.family != "Other" else None
    if browser and system:
        described = f"{browser} on {system}"
    else:
        described = browser or (f"A browser on {system}" if system else "Unknown browser")
    return described[:LONGEST]
