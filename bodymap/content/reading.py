"""How easily patients can read the content: measured when the file is loaded, named with file and line when too hard.

Patients read this in pain, often on a phone. English must read at US grade 6 or below (Flesch-Kincaid), Spanish
at 70 or more on the Fernández-Huerta scale ("easy"), both as textstat 0.7.4 measures them (its syllables come from
pyphen, so it works offline). What is measured, in every language the clinic offers:

- each region taken together: its summary, common causes, red flags, the descriptions of the treatments it lists,
  self-care, when to get checked and how long it lasts, each list item read as the sentence it is;
- each region's summary alone (the first paragraph a patient reads);
- each treatment: its description with its cautions ("Not used if ...");
- the clinic's messages taken together: appointments, disclaimer, the direct-access and language-help notices and
  its privacy paragraphs;
- who the advice is for, taken together (adults, a child, pregnancy).

A short text alone (a red flag, a self-care tip, a one-line notice) is not measured on its own: a formula over six
words swings widely ("No referral needed." reads at grade 9), and a short line is read among the others. The
staff's review page shows each region's figures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textstat.textstat import textstatistics

from bodymap.content.model import Content
from bodymap.content.regions import Region

Loc = tuple[str | int, ...]
WHOLE = "summary, causes, red flags, treatments, self-care, when to get checked, how long it lasts"


@dataclass(frozen=True)
class Scale:
    """A readability formula for one language, and the bar patient text must clear."""

    name: str  # as a clinician reads it
    locale: str  # textstat's language
    measure: Callable[[textstatistics, str], float]
    bar: float
    lower_is_easier: bool

    def passes(self, score: float) -> bool:
        return score <= self.bar if self.lower_is_easier else score >= self.bar

    def says(self, score: float) -> str:
        """'reads at US grade 7.2 (Flesch-Kincaid); ... grade 6 or below'."""
        if self.lower_is_easier:
            return f"reads at US grade {score:g} ({self.name}); patient text must read at grade {self.bar:g} or below"
        return f"scores {score:g} on the {self.name} scale; patient text must score {self.bar:g} or more (easy)"

    def figure(self, score: float) -> str:
        """'grade 5.1' or '74.2', for the staff's review page."""
        return f"grade {score:g}" if self.lower_is_easier else f"{score:g}"

    def limit(self) -> str:
        return f"grade {self.bar:g} or below" if self.lower_is_easier else f"{self.bar:g} or more"


SCALES = {
    "en": Scale("Flesch-Kincaid", "en_US", lambda reader, text: reader.flesch_kincaid_grade(text), 6.0, True),
    "es": Scale("Fernández-Huerta", "es", lambda reader, text: reader.fernandez_huerta(text), 70.0, False),
}
ADVICE = "shorter sentences and everyday words help"


class Readers:
    """One textstat reader per language (textstat's own module-level reader has one language at a time for the whole
    process); measured under a lock, as pyphen's dictionaries are shared."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readers: dict[str, textstatistics] = {}

    def score(self, lang: str, text: str) -> float:
        scale = SCALES[lang]
        with self.lock:
            reader = self.readers.get(lang)
            if reader is None:
                reader = self.readers[lang] = textstatistics()
                reader.set_lang(scale.locale)
            return scale.measure(reader, text)


READERS = Readers()


def score(lang: str, text: str) -> float:
    """`text` measured on the scale of `lang` (a language without a scale is not measured: ValueError)."""
    if lang not in SCALES:
        raise ValueError(f"no readability scale for {lang!r}")
    return READERS.score(lang, text)


def sentences(items) -> str:
    """List items read as the sentences they are, so a list is not measured as one long sentence."""
    return " ".join(str(item).rstrip(".") + "." for item in items)


def region_text(region: Region) -> str:
    """A region's patient text taken together, as the reading check measures it."""
    parts = [region.summary, sentences(f"{c.name}. {c.about}" for c in region.conditions)]
    parts.append(sentences([*region.red_flags.emergency, *region.red_flags.urgent]))
    parts += [t.description for t in region.treatments]
    parts += [sentences(region.self_care), region.not_improving.text]
    if region.lasts:
        parts.append(region.lasts.text)
    return " ".join(parts)


@dataclass(frozen=True)
class Figure:
    """One measured text of a region, for the review page."""

    what: str
    score: float
    scale: Scale
    detail: str = ""  # what it is made of

    @property
    def passes(self) -> bool:
        return self.scale.passes(self.score)


def figures(region: Region, lang: str) -> list[Figure]:
    """A region's figures in `lang` (the copy of the region in that language): taken together, and its summary."""
    if lang not in SCALES:
        return []
    scale = SCALES[lang]
    return [
        Figure("Taken together", score(lang, region_text(region)), scale, WHOLE),
        Figure("Summary", score(lang, region.summary), scale),
    ]


def _texts(content: Content, lang: str) -> Iterator[tuple[Loc, str, str]]:
    """(where it is written, what it is, its text) for every text measured in `lang`'s copy of the content."""
    block: Loc = () if lang == "en" else (lang,)
    for i, region in enumerate(content.regions):
        yield ("regions", i, *block), "whole", region_text(region)
        yield ("regions", i, *block, "summary"), "", region.summary
    for i, treatment in enumerate(content.treatments):
        text = " ".join([treatment.description, sentences(treatment.contraindications)])
        yield ("treatments", i, *block, "description"), "", text
    clinic = content.clinic
    messages = [clinic.appointments, clinic.disclaimer]
    messages += [clinic.direct_access.text] if clinic.direct_access else []
    yield ("clinic", *block), "clinic", sentences([*messages, *clinic.privacy])
    if content.audience:
        said = [getattr(content.audience, name) for name in ("adults", "children", "pregnancy")]
        yield (
            ("audience", *block),
            "audience",
            sentences(value if isinstance(value, str) else value.text for value in said),
        )


def problems(content: Content) -> list[tuple[Loc, str]]:
    """(where, what is wrong) for every measured text that is too hard to read, in every language with a scale."""
    found = []
    for lang in content.clinic.languages:
        if lang not in SCALES:
            continue
        scale = SCALES[lang]
        in_language = content.in_language(lang)
        texts = list(_texts(in_language, lang))
        notice = content.clinic.language_help
        if notice and notice.texts().get(lang):  # the notice is read with the clinic's other messages
            loc, kind, text = next(t for t in texts if t[1] == "clinic")
            texts[texts.index((loc, kind, text))] = (loc, kind, sentences([text, notice.texts()[lang]]))
        for loc, kind, text in texts:
            measured = score(lang, text)
            if not scale.passes(measured):
                found.append(
                    (loc, f"{WHAT[kind].format(language=language_label(lang))}{scale.says(measured)}: {ADVICE}")
                )
    return found


WHAT = {  # how a problem begins, for each kind of text measured
    "whole": f"its {{language}}patient text taken together ({WHOLE}) ",
    "clinic": "the clinic's {language}messages taken together (appointments, disclaimer, notices, privacy) ",
    "audience": "its {language}text taken together (adults, a child, pregnancy) ",
    "": "",
}


def language_label(lang: str) -> str:
    return "" if lang == "en" else {"es": "Spanish "}.get(lang, f"{lang} ")
