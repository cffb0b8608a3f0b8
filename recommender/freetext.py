"""Take a pasted CV (Danish or English, any layout) apart into a structured profile.

`parse_cv(text)` reads job titles with their periods and employers, education, ESCO skills,
languages, driving licences and certificates, home postcode, stated wishes, hours and commute
from free text. Every item keeps a confidence in [0, 1] and the (start, end) characters of the
text it came from, so a portal can show the person what was read and ask them to confirm the
uncertain items; `ParsedCV.to_profile` hands the confident ones to the ranker as a `Profile`.

The text is first cut into logical lines (lines broken mid-sentence by a word processor are
joined again) and each line is given a section from the nearest heading above it (Danish or
English, upper case, with or without a colon, "Sprog: dansk" inline). Jobs and education are
then read as entries: a line with a period ("2019–2022", "jan. 2019 – nu", "Siden 2020") and
the short header lines around it, cells of a tab-separated table, a sentence of running text
("fra 2015 til 2018 arbejdede jeg som lagermedarbejder hos Coop"), or, without a period, a
"Title, Employer, Town" line in an experience section (outside one only when the employer
looks like a company: "A/S", "Kommune"...), with less confidence. Skills come from the
vocabulary's phrase matcher and, when a `ConceptReader` is given, its cross-lingual matches of
candidate phrases (skill list items, bullet lines, short sentences), asked for in one batch.

Nothing is lost on the way to the ranker: the lines no job, education or skill list took (the
text above the first heading, a profile paragraph, personal competences, hobbies...) become the
profile's summary, and a CV without any heading keeps its whole text as the summary.

Word lists (headings, months, language names, licences...) live in `data/cv_patterns.json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from .cv_layout import (
    CvPatterns,
    Entry,
    Line,
    Period,
    Span,
    cv_patterns,
    describe,
    find_entries,
    find_periods,
    is_header_line,
    list_items,
    sentences,
    split_lines,
)
from .geo import Postcodes, danish_postcodes, danish_towns
from .language import detect_language
from .skills import SkillVocabulary, default_vocabulary
from .text import stated_wishes
from .types import ConceptMatch, ConceptReader, Profile

#: Items below this confidence are left out of `to_profile` and offered for confirmation.
DEFAULT_MIN_CONFIDENCE = 0.5
#: Most candidate phrases sent to the concept reader in one call (keeps a long CV fast).
MAX_CANDIDATES = 80

T = TypeVar("T")

__all__ = ["ConceptReader", "ParsedCV", "Period", "parse_cv"]


@dataclass(frozen=True)
class Found(Generic[T]):
    """One thing read from the CV: its value, how sure the reading is, and where it was."""

    value: T
    confidence: float
    span: Span


@dataclass(frozen=True)
class Job:
    """A job in the work history; `occupation` is the ESCO occupation its title names.

    `remark` is what stood in brackets after the title ("studiejob", "vikar", "deltid") and
    `town` the town named with the employer; both are kept out of the title but not dropped.
    """

    title: str
    employer: str | None = None
    period: Period | None = None
    description: str = ""
    occupation: ConceptMatch | None = None
    town: str | None = None
    remark: str | None = None


@dataclass(frozen=True)
class Education:
    """An education or course, with the institution and the year it ended when given."""

    title: str
    institution: str | None = None
    year: str | None = None
    period: Period | None = None
    description: str = ""


@dataclass(frozen=True)
class LanguageSkill:
    """A spoken language (ISO 639 code, the word used) and level: native, fluent, good,
    conversational, basic, a CEFR level (B1) or a Danish test (PD3), or None."""

    code: str
    name: str
    level: str | None = None


@dataclass(frozen=True)
class Certificate:
    """A driving licence category ("licence:C") or a certificate ("forklift", "adr")."""

    code: str
    label: str


@dataclass(frozen=True)
class Place:
    """Where the person lives: a known Danish postcode and its town."""

    postcode: str
    town: str | None = None


@dataclass
class ParsedCV:
    """Everything `parse_cv` read from a CV; each item has a confidence and a span.

    `summary` is the person's own words that no job, education or skill list took: the text
    before the first heading, a profile paragraph, personal competences, interests... (the
    whole text when the CV has no headings at all). `skill_lines` are the items of its skill,
    language and licence lists as written. Together with the jobs and education they hold
    every word of the CV except headings and dates.
    """

    text: str
    language: str | None = None
    summary: str = ""
    skill_lines: list[str] = field(default_factory=list)
    jobs: list[Found[Job]] = field(default_factory=list)
    education: list[Found[Education]] = field(default_factory=list)
    skills: list[ConceptMatch] = field(default_factory=list)
    languages: list[Found[LanguageSkill]] = field(default_factory=list)
    certificates: list[Found[Certificate]] = field(default_factory=list)
    place: Found[Place] | None = None
    wishes: list[Found[str]] = field(default_factory=list)
    wished_occupations: list[ConceptMatch] = field(default_factory=list)
    hours: Found[str] | None = None
    commute_km: Found[float] | None = None

    def to_confirm(
        self, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> list[tuple[str, Found[Any] | ConceptMatch]]:
        """(field name, item) for every item too uncertain to use without the person's yes."""
        out: list[tuple[str, Found[Any] | ConceptMatch]] = []
        for name, items in self._fields():
            out += [(name, it) for it in items if it.confidence < min_confidence]
        return out

    def _fields(self) -> Iterator[tuple[str, Sequence[Found[Any] | ConceptMatch]]]:
        yield "jobs", self.jobs
        yield "education", self.education
        yield "skills", self.skills
        yield "languages", self.languages
        yield "certificates", self.certificates
        yield "place", [self.place] if self.place else []
        yield "wishes", self.wishes
        yield "wished_occupations", self.wished_occupations
        yield "hours", [self.hours] if self.hours else []
        yield "commute_km", [self.commute_km] if self.commute_km else []

    def to_profile(
        self, profile_id: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> Profile:
        """The ranker's `Profile` from the items at or above `min_confidence`.

        Work titles are ordered most recent first, undated jobs after dated ones in the order
        written (the ranker takes the first two as the wish of a person who states none);
        skills are ESCO URIs, then certificate and language labels and the skill-list items
        as written, which the ranker's phrase matcher reads like any listed skill and the
        embedding and BM25 read as words.
        """

        def ok(item: Found[Any] | ConceptMatch | None) -> bool:
            return item is not None and item.confidence >= min_confidence

        jobs = sorted((j for j in self.jobs if ok(j)), key=_recency, reverse=True)
        skills = list(dict.fromkeys(s.uri for s in self.skills if ok(s) and s.uri))
        skills += [c.value.label for c in self.certificates if ok(c)]
        skills += [lang.value.name for lang in self.languages if ok(lang)]
        named = {s.lower() for s in skills}
        skills += [s for s in self.skill_lines if s.lower() not in named]
        wished_uris = [o.uri for o in self.wished_occupations if ok(o) and o.uri]
        return Profile(
            id=profile_id,
            summary=self.summary,
            work=[_work_line(j.value) for j in jobs],
            work_titles=list(dict.fromkeys(j.value.title for j in jobs if j.value.title)),
            education=[_education_line(e.value) for e in self.education if ok(e)],
            skills=list(dict.fromkeys(skills)),
            wished_titles=[w.value for w in self.wishes if ok(w)],
            wished_occupation_uris=list(dict.fromkeys(wished_uris)),
            postcode=self.place.value.postcode if self.place and ok(self.place) else None,
            commute_km=self.commute_km.value if self.commute_km and ok(self.commute_km) else None,
            hours=self.hours.value if self.hours and ok(self.hours) else None,
        )


def _recency(job: Found[Job]) -> str:
    p = job.value.period
    if p is None:
        return "0"
    return "9999" if p.current else (p.end or p.start or "0")


def _as_sentences(lines: Iterable[str]) -> str:
    """Description lines (often bullets without a full stop) as one text of sentences."""
    return " ".join(t if re.search(r"[.!?]$", t) else f"{t}." for t in lines if t)


def _work_line(job: Job) -> str:
    title = f"{job.title} ({job.remark})" if job.remark else job.title
    return ". ".join(x for x in (title, job.employer, job.town, job.description) if x)


def _education_line(edu: Education) -> str:
    line = ", ".join(x for x in (edu.title, edu.institution, edu.year) if x)
    return f"{line}. {edu.description}" if edu.description else line


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class _Header:
    """A job header taken apart: title, employer and town, and how it was told apart."""

    title: str
    employer: str | None
    town: str | None
    marked: bool  # "X hos Y", "X at Y": the wording itself says which is which


def _split_title_employer(text: str, pats: CvPatterns, vocab: SkillVocabulary) -> _Header:
    """Title, employer and town of a header like "Lagermedarbejder hos Coop", "Coop — Kok" or
    "Sygehjælper – Hjemmeplejen, Odense Kommune" (the employer keeps all its parts)."""
    m = pats.employer_marker.search(f" {text} ")
    if m and m.start() > 0:
        employer, town = _split_town(text[m.end() - 1 :])
        return _Header(text[: m.start()].strip(" ,"), employer or None, town, True)
    parts = [p.strip() for p in re.split(r"\s+[|–—\-/]\s+|,\s+|\t|\s{3,}", text) if p.strip()]
    towns = [p for p in parts if _is_town(p)]
    parts = [p for p in parts if not _is_town(p)]
    town = ", ".join(towns) or None
    if not parts:
        return _Header(text.strip(), None, None, False)
    if len(parts) == 1:
        return _Header(parts[0], None, town, False)
    k = _pick_title(parts, pats, vocab)
    employer = ", ".join(p for j, p in enumerate(parts) if j != k)
    return _Header(parts[k], employer, town, False)


def _pick_title(parts: list[str], pats: CvPatterns, vocab: SkillVocabulary) -> int:
    """Which part of a header is the job title: the only one naming an occupation and no
    employer, else the one of the first two that does not look like an employer."""

    def employerish(s: str) -> bool:
        return bool(pats.employer_cues.search(s))

    def titleish(s: str) -> bool:
        return vocab.occupation_of_title(_clean_title(s)[0]) is not None

    named = [k for k, p in enumerate(parts) if titleish(p) and not employerish(p)]
    if len(named) == 1:
        return named[0]
    a, b = parts[:2]
    if employerish(a) and not employerish(b):
        return 1
    if employerish(b) and not employerish(a):
        return 0
    return 1 if titleish(b) and not titleish(a) else 0


def _clean_title(title: str) -> tuple[str, str | None]:
    """(title, remark): a bracketed remark ("(studiejob)", "(vikar)") is taken out."""
    remarks = [r.strip() for r in re.findall(r"\(([^()]*)\)", title) if r.strip()]
    title = re.sub(r"\s*\([^()]*\)\s*", " ", title)
    title = re.sub(r"\s+", " ", title).strip(" .,:;-–—")
    return title, ", ".join(remarks) or None


def _is_title(title: str, pats: CvPatterns) -> bool:
    """A job title is a few words, not a sentence ("Jeg har arbejdet med ...")."""
    words = title.split()
    return (
        0 < len(words) <= pats.max_title_words
        and not any(w.lower().strip(",.") in pats.sentence_words for w in words)
        and not re.search(r"[^\W\d_]{4,}[.!?]\s|[:;]\s", title)  # "Jr. Cook" may stay
    )


def _job_from_entry(entry: Entry, pats: CvPatterns, vocab: SkillVocabulary) -> Job | None:
    cols = entry.columns
    town: str | None = None
    if "title" in cols:
        title, employer = cols["title"], cols.get("employer")
    elif len(entry.header) >= 2 and _one_part_title(entry, pats, vocab):
        # Title and employer on lines of their own ("Anlægsgartner" / "Kommune, Park og Vej").
        pair = [entry.header[0][0], entry.header[1][0]]
        k = _pick_title(pair, pats, vocab)
        title, employer = pair[k], pair[1 - k]
    elif entry.header:
        header = _split_title_employer(entry.header[0][0], pats, vocab)
        title, employer, town = header.title, header.employer, header.town
    else:
        return None
    if employer:
        employer, named_town = _split_town(employer)
        town = town or named_town
    title, remark = _clean_title(title)
    if not _is_title(title, pats):
        return None
    return Job(
        title=title,
        employer=employer or None,
        period=entry.period.period if entry.period else None,
        description=_as_sentences(entry.description),
        town=town,
        remark=remark,
    )


def _one_part_title(entry: Entry, pats: CvPatterns, vocab: SkillVocabulary) -> bool:
    """Whether a two-line header is a title line and an employer line, rather than a
    "Title, Employer" line followed by something else."""
    first, second = entry.header[0][0], entry.header[1][0]
    if "," not in first:
        return True
    return "," not in second and vocab.is_occupation_title(_clean_title(second)[0])


def _jobs_in_sentence(text: str, offset: int, pats: CvPatterns) -> Iterator[tuple[Job, Span]]:
    """Jobs stated in running text: a period with "som X"/"as X" and "hos Y"/"at Y"."""
    for hit in find_periods(text, pats):
        clause_start = max(text.rfind(",", 0, hit.start), text.rfind(" og ", 0, hit.start), -1)
        clause_end_m = re.search(
            r",\s+(?:og|and|men|but)\s|\s(?:og|and) (?:siden|since|fra|from)\s|[.;]",
            text[hit.end :],
        )
        clause_end = hit.end + clause_end_m.start() if clause_end_m else len(text)
        lead = re.match(r"\s*(?:(?:og|and|men|but)\s+)?", text[clause_start + 1 :])
        clause_start += lead.end() if lead else 0
        clause = text[clause_start + 1 : clause_end]
        m = pats.title_marker.search(clause)
        if not m:
            continue
        title = m.group(1).strip()
        employer = town = None
        e = re.search(
            r"\b(?:hos|ved|at|for)\s+((?:[A-ZÆØÅ0-9][\w&.\-/]*)(?:\s+(?:[A-ZÆØÅ0-9][\w&.\-/]*|A/S|ApS|og|&|of))*)",
            clause,
        )
        if e:
            employer, town = _split_town(e.group(1).strip())
        yield (
            Job(title=title, employer=employer, period=hit.period, town=town),
            (offset + clause_start + 1, offset + clause_end),
        )


# --------------------------------------------------------------------------- places


def _is_town(s: str) -> bool:
    return s.strip().lower() in danish_towns()


def _split_town(employer: str) -> tuple[str, str | None]:
    """(employer, town) of "Coop, Aarhus" or "Coop i Aarhus"; the town is None when none."""
    m = re.match(
        r"^(.*?)(?:,\s*|\s+i\s+|\s+in\s+)([A-ZÆØÅ][\wæøå]+(?:\s[A-ZÆØÅ]{1,2})?)\s*$", employer
    )
    if m and _is_town(m.group(2)):
        return m.group(1).strip(), m.group(2)
    return employer.strip(" ,."), None


def _find_place(lines: list[Line], postcodes: Postcodes) -> Found[Place] | None:
    """The home postcode: "8000 Aarhus C" on the address line first, else a town by name."""
    pats = cv_patterns()
    towns = danish_towns()
    best: Found[Place] | None = None
    for rank, ln in enumerate(ln for ln in lines if ln.text):
        for m in re.finditer(
            r"(?<![\d+\-/.])(?:DK-?\s?)?(\d{4})\s+([A-ZÆØÅ][\wæøå]*(?:[ -][A-ZÆØÅ][\wæøå]*)?)",
            ln.text,
        ):
            code, town = m.group(1), m.group(2)
            if postcodes.lookup(code) is None:
                continue
            town_known = (
                towns.get(town.lower()) is not None
                or towns.get(town.split()[0].lower()) is not None
            )
            if not town_known:
                continue
            conf = (
                0.95
                if (pats.address.search(ln.text) or ln.section == "personal" or rank < 6)
                else 0.8
            )
            span = (ln.start + m.start(), ln.start + m.end())
            if best is None or conf > best.confidence:
                best = Found(Place(code, town), conf, span)
    if best is not None:
        return best
    for ln in lines:
        for m in re.finditer(r"\b([A-ZÆØÅ][\wæøå]+(?:\s[A-ZÆØÅ]{1,2}\b)?)", ln.text):
            code = towns.get(m.group(1).lower())
            if code is None or postcodes.lookup(code) is None:
                continue
            if pats.town_context.search(ln.text[: m.start()]):
                span = (ln.start + m.start(), ln.start + m.end())
                return Found(Place(code, m.group(1)), 0.7, span)
    return None


# --------------------------------------------------------------------------- small items


def _find_languages(lines: list[Line], pats: CvPatterns) -> list[Found[LanguageSkill]]:
    out: dict[str, Found[LanguageSkill]] = {}
    for ln in lines:
        if not ln.text:
            continue
        in_section = ln.section == "languages"
        names = list(pats.language_names.finditer(ln.text))
        for k, m in enumerate(names):
            # The level is read between this name and the next (or the clause end).
            lo = names[k - 1].end() if k else 0
            hi = names[k + 1].start() if k + 1 < len(names) else len(ln.text)
            after = re.split(r"[,;.\n]|\s(?:og|and)\s", ln.text[m.end() : hi])[0]
            before = re.split(r"[,;:.(]", ln.text[lo : m.start()])[-1]
            level_m = pats.level_words.search(after) or (
                pats.level_words.search(before) if len(before.split()) <= 3 else None
            )
            speaking = pats.speaking.search(ln.text)
            if not (in_section or level_m or speaking):
                continue
            # "dansk kørekort", "Danish Crown": the word is an adjective, not a language.
            if (
                not in_section
                and not level_m
                and re.match(r"\s+[a-zæøå]{4,}", ln.text[m.end() :])
                and not speaking
            ):
                continue
            level = None
            if level_m:
                word = level_m.group(0).lower()
                level = pats.levels.get(word, word.upper().replace(" ", ""))
            code = pats.languages[m.group(1).lower()]
            conf = 0.9 if in_section or level_m else 0.65
            end = m.end()
            if level_m is not None and level_m.string == after:
                end += level_m.end()
            span = (ln.start + m.start(), ln.start + end)
            item = Found(LanguageSkill(code, m.group(1), level), conf, span)
            if code not in out or (out[code].value.level is None and level):
                out[code] = item
    return list(out.values())


def _find_certificates(
    lines: list[Line], pats: CvPatterns, lang: str | None
) -> list[Found[Certificate]]:
    out: dict[str, Found[Certificate]] = {}

    word = "Driving licence" if lang == "en" else "Kørekort"

    def add(code: str, label: str, conf: float, span: Span) -> None:
        if code not in out:
            out[code] = Found(Certificate(code, label), conf, span)

    for ln in lines:
        if not ln.text:
            continue
        for code, label_da, label_en, rx in pats.certificates:
            if m := rx.search(ln.text):
                label = label_en if lang == "en" else label_da
                add(code, label, 0.9, (ln.start + m.start(), ln.start + m.end()))
        if ln.section == "licences" and re.fullmatch(r"(?:[A-Z1/]{1,3}|og|and|[,+&\s])+", ln.text):
            # A bare "B og BE" under a "Kørekort" heading.
            for m in pats.categories.finditer(ln.text):
                code = m.group(1).replace("/", "")
                add(
                    f"licence:{code}",
                    f"{word} {code}",
                    0.9,
                    (ln.start + m.start(), ln.start + m.end()),
                )
            continue
        drivings = list(pats.driving.finditer(ln.text))
        if not drivings and ln.section == "licences" and pats.categories.match(ln.text):
            # "B, BE og traktor (T)" under a "Kørekort" heading: the heading names the licence.
            for c in _licence_categories(ln.text, pats):
                add(f"licence:{c}", f"{word} {c}", 0.9, ln.span)
        for m in drivings:
            window_end = min(len(ln.text), m.end() + 40)
            window = ln.text[m.start() : window_end]
            window = re.split(r"[.;]|\s(?:og|and)\s(?!\w{1,2}\b)", window)[0]
            cats = _licence_categories(window, pats)
            if not cats and ln.section == "licences":
                cats = _licence_categories(ln.text, pats, vehicles=False)
            span = (ln.start + m.start(), ln.start + m.start() + len(window.rstrip()))
            for c in cats or [""]:
                add(
                    f"licence:{c}" if c else "licence",
                    f"{word} {c}".strip(),
                    0.9 if c else 0.75,
                    span,
                )
    return list(out.values())


def _licence_categories(s: str, pats: CvPatterns, *, vehicles: bool = True) -> list[str]:
    """Driving licence categories named in `s` ("C/CE", "B og BE", "lastbil" → C), once each."""
    cats = [c.upper().replace("/", "") for c in pats.categories.findall(s)]
    if vehicles:
        cats += [pats.vehicles[v.lower()] for v in pats.vehicle_words.findall(s)]
    return list(dict.fromkeys(cats))


def _find_hours(lines: list[Line], pats: CvPatterns) -> Found[str] | None:
    found: Found[str] | None = None
    for ln in lines:
        for m in pats.hour_words.finditer(ln.text):
            wish = bool(pats.wish_context.search(ln.text)) or ln.section in ("wishes", "profile")
            item = Found(
                pats.hours[m.group(1).lower()],
                0.85 if wish else 0.4,
                (ln.start + m.start(), ln.start + m.end()),
            )
            if found is None or item.confidence > found.confidence:
                found = item
    return found


def _find_commute(lines: list[Line], pats: CvPatterns) -> Found[float] | None:
    for ln in lines:
        if m := pats.commute.search(ln.text):
            return Found(float(m.group(1)), 0.9, (ln.start + m.start(), ln.start + m.end()))
    return None


def _find_wishes(lines: list[Line], text: str, pats: CvPatterns) -> list[Found[str]]:
    out: dict[str, Found[str]] = {}

    def add(title: str, conf: float, span: Span) -> None:
        title = re.sub(r"^(?:an?|en|et)\s+", "", title.strip(" .,:;"), flags=re.IGNORECASE)
        if title and len(title.split()) <= 5 and title.lower() not in out:
            out[title.lower()] = Found(title, conf, span)

    low = text.lower()
    for w in stated_wishes(text):
        at = low.find(w.lower())
        add(w, 0.85, (at, at + len(w)) if at >= 0 else (0, 0))
    for ln in lines:
        if not ln.text:
            continue
        m = pats.wish_labels.match(ln.text)
        english = list(pats.wish_en.finditer(ln.text))
        sentence = english or stated_wishes(ln.text) or ln.n_words > 12
        if m or (ln.section == "wishes" and not sentence):
            body_start = ln.start + (m.start(1) if m else 0)
            for seg, span in _title_parts(text[body_start : ln.end], body_start):
                if not pats.hour_words.search(seg) and not re.search(r"\d", seg):
                    add(seg, 0.8, span)
        for wm in english:
            for seg, span in _title_parts(wm.group(1), ln.start + wm.start(1)):
                add(seg, 0.85, span)
    return list(out.values())


def _title_parts(s: str, offset: int) -> Iterator[tuple[str, Span]]:
    """Titles of a list such as "lagermedarbejder eller truckfører" or "cleaner, or cook"."""
    pos = 0
    for sep in [*re.finditer(r"\s*(?:[,;/]\s*(?:(?:eller|or)\s+)?|\s(?:eller|or)\s+)", s), None]:
        end = sep.start() if sep else len(s)
        seg = s[pos:end].strip()
        if seg:
            lead = len(s[pos:end]) - len(s[pos:end].lstrip())
            yield seg, (offset + pos + lead, offset + pos + lead + len(seg))
        if sep:
            pos = sep.end()


# --------------------------------------------------------------------------- skills


def _skill_candidates(lines: list[Line]) -> list[tuple[str, Span]]:
    """Phrases to recognise skills in: list items of skill sections, bullets, short sentences."""
    skip = {"personal", "references", "languages"}
    out: list[tuple[str, Span]] = []
    for ln in lines:
        if not ln.text or ln.section in skip:
            continue
        if ln.section in ("skills", "licences") or (
            "," in ln.text and ln.n_words <= 20 and ln.section == "personal_skills"
        ):
            spans = list(list_items(ln)) if ln.n_words <= 25 else list(sentences(ln))
        elif ln.bullet or ln.n_words <= 25:
            spans = [ln.span]
        else:
            spans = list(sentences(ln))
        for s, e in spans:
            phrase = ln.text[s - ln.start : e - ln.start].strip()
            if phrase and len(phrase.split()) <= 30:
                out.append((phrase, (s, e)))
    return out


def _skills(
    candidates: list[tuple[str, Span]],
    lines: list[Line],
    vocab: SkillVocabulary,
    concepts: ConceptReader | None,
) -> list[ConceptMatch]:
    best: dict[str, ConceptMatch] = {}

    def keep(match: ConceptMatch) -> None:
        old = best.get(match.uri)
        if old is None or match.confidence > old.confidence:
            best[match.uri] = match

    skill_spans = {ln.span for ln in lines if ln.section == "skills"}
    for phrase, span in candidates:
        for i in vocab.recognise(phrase):
            in_skills = any(a <= span[0] and span[1] <= b for a, b in skill_spans)
            keep(
                ConceptMatch(
                    kind="skill",
                    index=i,
                    uri=vocab.uris[i],
                    label=vocab.label(i),
                    confidence=0.9 if in_skills else 0.8,
                    source="vocabulary",
                    matched=phrase,
                    span=span,
                )
            )
    if concepts is not None and candidates:
        batch = candidates[:MAX_CANDIDATES]
        for (phrase, span), matches in zip(
            batch, concepts.skills([p for p, _ in batch]), strict=True
        ):
            for cm in matches:
                keep(replace(cm, span=span, matched=cm.matched or phrase))
    return sorted(best.values(), key=lambda m: (m.span or (0, 0), -m.confidence))


def _occupations(
    titles: Sequence[str], vocab: SkillVocabulary, concepts: ConceptReader | None
) -> list[ConceptMatch | None]:
    """The occupation each title names: the vocabulary's phrase, else the reader's best."""
    out: list[ConceptMatch | None] = []
    missing: list[int] = []
    for k, t in enumerate(titles):
        o = vocab.occupation_of_title(t)
        if o is None or o >= len(vocab.esco.occ_uris):
            out.append(None)
            missing.append(k)
            continue
        exact = vocab.is_occupation_title(t)
        out.append(
            ConceptMatch(
                kind="occupation",
                index=o,
                uri=vocab.esco.occ_uris[o],
                label=vocab.occ_da_label.get(o) or vocab.esco.occ_labels[o],
                confidence=0.95 if exact else 0.75,
                source="vocabulary",
                matched=t,
            )
        )
    if concepts is not None and missing:
        found = concepts.occupations([titles[k] for k in missing], k=1)
        for k, matches in zip(missing, found, strict=True):
            out[k] = matches[0] if matches else None
    return out


# --------------------------------------------------------------------------- education


def _education_from_entry(entry: Entry, pats: CvPatterns) -> Education | None:
    texts = [h for h, _ in entry.header]
    if "education" in entry.columns:
        title = entry.columns["education"]
        inst = entry.columns.get("institution")
    else:
        parts = [
            p.strip() for t in texts for p in re.split(r",\s+|\s+[|–—\-]\s+|\t", t) if p.strip()
        ]
        # The institution is a later part naming a school, or any part that names only one.
        inst_parts = [
            p
            for k, p in enumerate(parts)
            if pats.institution_cues.search(p) and (k > 0 or not pats.education.search(p))
        ]
        inst = inst_parts[0] if inst_parts else None
        rest = [p for p in parts if p != inst and not _is_town(p)]
        if not rest and inst:
            rest, inst = [inst], None
        if not rest:
            return None
        title = ", ".join(rest)
        m = re.match(r"^(.*?)\s+(?:fra|ved|på|from|at)\s+(.+)$", title)
        if m and inst is None and pats.institution_cues.search(m.group(2)):
            title, inst = m.group(1), m.group(2)
    period = entry.period.period if entry.period else None
    year = (period.end or period.start) if period and not period.current else None
    return Education(
        title=title.strip(" .,:"),
        institution=inst,
        year=year and year[:4],
        period=period,
        description=_as_sentences(entry.description),
    )


def _education_in_sentence(s: str, pats: CvPatterns) -> Education | None:
    """Education stated in running text ("Jeg er uddannet kok fra Hotel- og Restaurantskolen")."""
    m = re.search(
        r"\b(?:uddannet|uddannelse som|uddannelse i|svendebrev som|graduated|degree in|a degree"
        r"|bachelor(?:'s)? (?:degree )?in|master(?:'s)? (?:degree )?in)\s+(?:som\s+|as\s+|in\s+)?"
        r"([\wæøåÆØÅ.\- ]+?)(?=\s+(?:fra|fra|ved|på|from|at|i|in|og|and)\s|[,.;()]|$)",
        s,
        re.IGNORECASE,
    )
    if not m:
        return None
    inst_m = re.search(
        r"\b(?:fra|ved|på|from|at)\s+([A-ZÆØÅ][\wæøå\-]*(?:\s+(?:[A-ZÆØÅ][\wæøå\-]*|og|of|for))*)",
        s[m.end() :],
    )
    inst = inst_m.group(1).strip() if inst_m else None
    if inst and not pats.institution_cues.search(inst) and not pats.employer_cues.search(inst):
        inst = None if len(inst.split()) > 5 else inst
    years = [h.period for h in find_periods(s, pats, lone_years=True)]
    year = (years[0].end or years[0].start) if years else None
    return Education(title=m.group(1).strip(), institution=inst, year=year[:4] if year else None)


# --------------------------------------------------------------------------- main


def parse_cv(
    text: str,
    *,
    vocabulary: SkillVocabulary | None = None,
    concepts: ConceptReader | None = None,
    postcodes: Postcodes | None = None,
) -> ParsedCV:
    """Read a pasted CV (Danish or English, any layout) into items with confidences and spans.

    `vocabulary` recognises ESCO skills and occupations by phrase (default: the shipped one);
    `concepts`, when given, adds cross-lingual matches and is called at most once for skills
    and once for occupations; `postcodes` tells real postcodes from years.
    """
    pats = cv_patterns()
    vocab = vocabulary if vocabulary is not None else default_vocabulary()
    codes = postcodes if postcodes is not None else danish_postcodes()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = split_lines(text, pats)
    parsed = ParsedCV(text=text, language=detect_language(text))

    jobs = _read_jobs(lines, pats, vocab)
    parsed.education = _read_education(lines, pats)
    parsed.languages = _find_languages(lines, pats)
    parsed.certificates = _find_certificates(lines, pats, parsed.language)
    parsed.place = _find_place(lines, codes)
    parsed.wishes = _find_wishes(lines, text, pats)
    parsed.hours = _find_hours(lines, pats)
    parsed.commute_km = _find_commute(lines, pats)
    parsed.skills = _skills(_skill_candidates(lines), lines, vocab, concepts)
    parsed.skill_lines = _skill_lines(lines)
    parsed.summary = _summary(lines, text)

    titles = [j.value.title for j in jobs] + [w.value for w in parsed.wishes]
    occupations = _occupations(titles, vocab, concepts) if titles else []
    for k, job in enumerate(jobs):
        occ = occupations[k]
        value = replace(job.value, occupation=replace(occ, span=job.span) if occ else None)
        parsed.jobs.append(replace(job, value=value))
    for wish, occ in zip(parsed.wishes, occupations[len(jobs) :], strict=True):
        if occ is not None:
            parsed.wished_occupations.append(replace(occ, span=wish.span))
    return parsed


def _read_jobs(lines: list[Line], pats: CvPatterns, vocab: SkillVocabulary) -> list[Found[Job]]:
    out: list[Found[Job]] = []
    section_lines = [ln for ln in lines if ln.section in ("experience", "volunteering")]
    dated = find_entries(section_lines, pats, lone_years=False)
    undated = _undated_job_entries(section_lines, pats, vocab)
    for entry in describe(dated + undated, section_lines):
        job = _job_from_entry(entry, pats, vocab)
        if job is None:
            continue
        known = vocab.occupation_of_title(job.title) is not None
        if entry.period is None:
            # Without a period the line is a job only by its place and wording: less sure.
            conf = 0.55 + (0.1 if known else 0.0)
            conf += 0.05 if job.employer and pats.employer_cues.search(job.employer) else 0.0
        else:
            conf = 0.7 + (0.1 if entry.period.strong else 0.0) + (0.1 if known else -0.15)
            conf += 0.05 if job.employer else 0.0
        entry.place()
        out.append(Found(job, round(min(conf, 0.95), 2), entry.span))
    # Entries outside any section: a line with a period and a short header, a "Title,
    # Employer A/S" line, or a sentence.
    for ln in lines:
        if not ln.text or ln.used or ln.section in ("experience", "volunteering", "education"):
            continue
        if ln.n_words > 14 or ln.bullet:
            for s, e in sentences(ln):
                for job, span in _jobs_in_sentence(_text_of(lines, ln, s, e), s, pats):
                    conf = 0.6 + (0.1 if vocab.occupation_of_title(job.title) is not None else -0.2)
                    out.append(Found(job, round(conf, 2), span))
            continue
        if ln.section not in ("", "profile", "other"):
            continue
        if find_periods(ln.text, pats):
            following = _following(lines, ln)
            entries = find_entries([ln, *following], pats, lone_years=False)
            for entry in describe(entries, [x for x in following if x.bullet]):
                if pats.education.search(" ".join(h for h, _ in entry.header)):
                    continue
                job = _job_from_entry(entry, pats, vocab)
                if job is not None and vocab.occupation_of_title(job.title) is not None:
                    entry.place()
                    out.append(Found(job, 0.6, entry.span))
        elif (header := _job_header(ln, pats, vocab)) and header.employer:
            # Outside a section "Title, Employer" needs the employer to look like one.
            entry = Entry(None, ln.span, [(ln.text, ln.span)], [], lines=[ln])
            job = _job_from_entry(entry, pats, vocab)
            if job is not None and job.employer and pats.employer_cues.search(job.employer):
                known = vocab.occupation_of_title(job.title) is not None
                ln.used = True
                entry.place()
                out.append(Found(job, 0.55 if known else 0.45, entry.span))
    return sorted(out, key=lambda j: j.span[0])


def _job_header(ln: Line, pats: CvPatterns, vocab: SkillVocabulary) -> _Header | None:
    """The header a short line without a period would be if it named a job, else None.

    Not a header: a sentence, a line with a colon ("Opgaver: ..."), a contact line (e-mail,
    phone or postcode digits), or "Title, employer" whose employer is written in lower case.
    """
    if (
        not is_header_line(ln, pats)
        or ":" in ln.text
        or pats.contact_line.search(ln.text)
        or pats.address.search(ln.text)
        or ln.n_words > 10
    ):
        return None
    header = _split_title_employer(ln.text, pats, vocab)
    title = _clean_title(header.title)[0]
    if not _is_title(title, pats):
        return None
    if header.employer and not (
        header.employer[0].isupper()
        or header.employer[0].isdigit()
        or pats.employer_cues.search(header.employer)
    ):
        return None
    return header


def _undated_job_entries(
    lines: list[Line], pats: CvPatterns, vocab: SkillVocabulary
) -> list[Entry]:
    """Job entries of an experience section's lines that have no period.

    "Lagermedarbejder, Dansk Fragt Lager A/S, Kolding", "Cook at Restaurant Noma" or a known
    title over an employer line count wherever they stand; a title the vocabulary does not
    know, with an employer without a company cue, only when it opens a block of lines.
    """
    out: list[Entry] = []
    for i, ln in enumerate(lines):
        header = _job_header(ln, pats, vocab)
        if header is None:
            continue
        known = vocab.occupation_of_title(_clean_title(header.title)[0]) is not None
        cue = bool(header.employer and pats.employer_cues.search(header.employer))
        entry = Entry(None, ln.span, [(ln.text, ln.span)], [], lines=[ln])
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if header.employer is None:
            pair = nxt is not None and not nxt.bullet and _job_header(nxt, pats, vocab)
            if nxt is None or not pair or pair.employer:
                # A lone known title ("Lagermedarbejder") over its description.
                if not vocab.is_occupation_title(header.title) or ln.bullet:
                    continue
            else:
                # "Elektriker" over "Bravida Danmark A/S", or the other way round.
                texts = [ln.text, nxt.text]
                k = _pick_title(texts, pats, vocab)
                if not (
                    vocab.occupation_of_title(texts[k]) is not None
                    and pats.employer_cues.search(texts[1 - k])
                ):
                    if not vocab.is_occupation_title(header.title) or ln.bullet:
                        continue
                else:
                    nxt.used = True
                    entry.header.append((nxt.text, nxt.span))
                    entry.lines.append(nxt)
                    entry.span = (ln.start, nxt.end)
        elif not (known or cue or header.marked):
            opens_block = i == 0 or not lines[i - 1].text
            if ln.bullet or not opens_block:
                continue
        elif ln.bullet and not (known and (cue or header.marked)):
            continue
        ln.used = True
        out.append(entry)
    return out


def _skill_lines(lines: list[Line]) -> list[str]:
    """The items of the skill, language and licence lists as written ("Microsoft Excel",
    "Dansk: modersmål"); a line of longer phrases is left for the summary."""
    out: list[str] = []
    for ln in lines:
        if not ln.text or ln.placed or ln.section not in ("skills", "languages", "licences"):
            continue
        items = [ln.text[s - ln.start : e - ln.start] for s, e in list_items(ln)]
        if items and all(len(item.split()) <= 6 for item in items):
            out += [item for item in items if re.search(r"[^\W\d_]", item)]  # not "2011"
            ln.placed = True
    return list(dict.fromkeys(out))


def _summary(lines: list[Line], text: str) -> str:
    """The person's own words that no job, education or skill list took (see `ParsedCV`)."""
    if not any(ln.heading for ln in lines):
        return text.strip()
    return "\n".join(ln.text for ln in lines if ln.text and not ln.placed)


def _text_of(lines: list[Line], ln: Line, s: int, e: int) -> str:
    """The text of absolute span [s, e) inside line `ln`."""
    return ln.text[s - ln.start : e - ln.start]


def _following(lines: list[Line], ln: Line) -> list[Line]:
    k = lines.index(ln)
    return [x for x in lines[k + 1 : k + 3] if x.section == ln.section]


def _read_education(lines: list[Line], pats: CvPatterns) -> list[Found[Education]]:
    out: list[Found[Education]] = []
    section_lines = [ln for ln in lines if ln.section == "education"]
    entries = find_entries(section_lines, pats, lone_years=True)
    # Education lines in the section without any period ("Svendebrev som tømrer").
    for ln in section_lines:
        if ln.text and not ln.used and is_header_line(ln, pats) and pats.education.search(ln.text):
            entries.append(Entry(None, ln.span, [(ln.text, ln.span)], [], lines=[ln]))
            ln.used = True
    for entry in describe(entries, section_lines):
        edu = _education_from_entry(entry, pats)
        if edu is not None:
            entry.place()
            out.append(Found(edu, 0.85 if entry.period else 0.75, entry.span))
    for ln in lines:
        if (
            not ln.text
            or ln.used
            or ln.section in ("education", "experience", "skills", "licences")
        ):
            continue
        for s, e in sentences(ln):
            sentence = _text_of(lines, ln, s, e)
            if not pats.education.search(sentence):
                continue
            edu = _education_in_sentence(sentence, pats)
            if edu is not None:
                out.append(Found(edu, 0.65, (s, e)))
    return out
