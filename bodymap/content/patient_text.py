"""What a patient reads about one region in one language, in the panel's order, and its digest.

A clinician's sign-off is bound to the digest of exactly this text (`bodymap.review`): any change to a word of it,
to a treatment listed with it, or to the sources it cites makes the region a draft again in that language. The
reading check measures the same text (`reading`). The staff's screening questions are not in it: patients do not
read them on the panel.
"""

from __future__ import annotations

import hashlib
import json

from bodymap.content.regions import Region
from bodymap.content.sources import Sourced

VERSION = "bodymap patient text 1"  # changes only if what is digested changes: every sign-off would be void


def _cited(item: Sourced) -> list[str]:
    return [item.text, *(f"{source.citation} {source.url or ''}".strip() for source in item.sources)]


def parts(region: Region) -> list[tuple[str, list[str]]]:
    """The region's patient text as the panel shows it: (what it is, its lines), in the panel's order."""
    found: list[tuple[str, list[str]]] = [("names", [region.name, *(region.label(side) for side in region.sides)])]
    found.append(("emergency", [line for flag in region.red_flags.emergency for line in _cited(flag)]))
    found.append(("urgent", [line for flag in region.red_flags.urgent for line in _cited(flag)]))
    found.append(("summary", [region.summary]))
    found.append(("conditions", [line for c in region.conditions for line in (c.name, c.about)]))
    for treatment in region.treatments_shown:
        cautions = [line for caution in treatment.contraindications for line in _cited(caution)]
        found.append((f"treatment {treatment.id}", [treatment.name, treatment.description, *cautions]))
    found.append(("self-care", list(region.self_care)))
    found.append(("not improving", _cited(region.not_improving)))
    if region.lasts:
        found.append(("lasts", _cited(region.lasts)))
    found.append(("sources", [f"{s.citation} {s.url or ''}".strip() for s in region.sources]))
    return found


def digest(region: Region) -> str:
    """SHA-256 (hex) of the region's patient text in the language of this copy of the content."""
    text = json.dumps([VERSION, parts(region)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
