"""The layout of a pasted CV: its patterns, lines, sections, periods and entries.

`recommender.freetext` reads what a CV says; this module finds where things are: the headings
and sections (in Danish or English, any decoration), the lines joined where a word processor
broke them, the periods ("2019-2022", "jan. 2019 - nu", "since 2020") and the entries (a period
with the lines around it, or a table row). The words it looks for are data
(`data/cv_patterns.json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .esco import DATA_DIR

PATTERNS_FILE = DATA_DIR / "cv_patterns.json"

Span = tuple[int, int]


@dataclass(frozen=True)
class Period:
    """When a job or education took place; dates are "YYYY" or "YYYY-MM"."""

    start: str | None = None
    end: str | None = None
    current: bool = False


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class CvPatterns:
    """The compiled contents of `cv_patterns.json`."""

    headings: dict[str, str]
    columns: dict[str, str]
    date_range: re.Pattern[str]
    since: re.Pattern[str]
    open_range: re.Pattern[str]
    lone_year: re.Pattern[str]
    one_date: re.Pattern[str]
    months: dict[str, int]
    present: re.Pattern[str]
    bullet: re.Pattern[str]
    employer_cues: re.Pattern[str]
    institution_cues: re.Pattern[str]
    education: re.Pattern[str]
    employer_marker: re.Pattern[str]
    title_marker: re.Pattern[str]
    languages: dict[str, str]
    language_names: re.Pattern[str]
    levels: dict[str, str]
    level_words: re.Pattern[str]
    speaking: re.Pattern[str]
    certificates: list[tuple[str, str, str, re.Pattern[str]]]
    driving: re.Pattern[str]
    categories: re.Pattern[str]
    vehicles: dict[str, str]
    vehicle_words: re.Pattern[str]
    hours: dict[str, str]
    hour_words: re.Pattern[str]
    wish_context: re.Pattern[str]
    commute: re.Pattern[str]
    wish_labels: re.Pattern[str]
    wish_en: re.Pattern[str]
    address: re.Pattern[str]
    town_context: re.Pattern[str]
    sentence_words: frozenset[str]
    max_title_words: int
    abbreviation_end: re.Pattern[str]
    contact_line: re.Pattern[str]


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so "jan" does not cut "januar")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def heading_key(line: str) -> str:
    """A line as compared with heading words: no bullet, numbering, colon or case."""
    s = re.sub(r"^[\s#*•·▪\-–—=_>\d.)]*", "", line)
    return re.sub(r"[\s:*_=\-–—.]+$", "", s).strip().lower()


@lru_cache(maxsize=1)
def cv_patterns() -> CvPatterns:
    with open(PATTERNS_FILE, encoding="utf-8") as fh:
        d = json.load(fh)
    flags = re.IGNORECASE
    months = {w: int(n) for n, ws in d["months"].items() for w in ws}
    month = rf"(?:{alternation(months)})\.?"
    present_alt = alternation(d["present"])
    year = r"(?:19[5-9]\d|20\d\d)"
    one = rf"(?:{month}\s*{year}|(?:0?[1-9]|1[0-2])\s*[./-]\s*{year}|{year})"
    one_date = rf"(?<![\w/.])(?:{one})(?![\d])"
    sep = rf"(?:\s*[–—\-−]+\s*|\s+(?:{alternation(d['range_words'])})\s+|\s*→\s*)"
    from_words = alternation(d["from_words"])
    date_range = (
        rf"(?:\b(?:{from_words})\s+)?({one_date}){sep}"
        rf"({one_date}|(?<!\w)(?:{present_alt})(?![\w]))"
    )
    since = rf"\b(?:{alternation(d['since_words'] + d['from_words'])})\s+({one_date})"
    open_range = rf"({one_date})\s*[–—\-−]+\s*(?=$|\t|\|)"
    languages = {w: code for code, ws in d["languages"].items() for w in ws}
    levels = {w: lvl for lvl, ws in d["language_levels"].items() for w in ws}
    certs = [
        (c["code"], c["label_da"], c["label_en"], re.compile(c["re"], flags))
        for c in d["certificates"]
    ]
    vehicles = {k.lower(): v for k, v in d["driving_vehicles"].items()}
    hours = {w: k for k, ws in d["hours"].items() for w in ws}

    def markers(key: str) -> str:
        return alternation(w for ws in d[key].values() for w in ws)

    return CvPatterns(
        headings={k: sec for sec, ks in d["sections"].items() for k in ks},
        columns={k: col for col, ks in d["table_columns"].items() for k in ks},
        date_range=re.compile(date_range, flags),
        since=re.compile(since, flags),
        open_range=re.compile(open_range, flags | re.MULTILINE),
        lone_year=re.compile(rf"(?<![\w/.\-]){year}(?![\w/\-])"),
        one_date=re.compile(rf"(?:({month})\s*|(0?[1-9]|1[0-2])\s*[./-]\s*)?({year})", flags),
        months=months,
        present=re.compile(rf"^(?:{present_alt})$", flags),
        bullet=re.compile(d["bullet_re"]),
        employer_cues=re.compile(d["employer_cues_re"], flags),
        institution_cues=re.compile(d["institution_cues_re"], flags),
        education=re.compile(d["education_re"], flags),
        employer_marker=re.compile(rf"\s(?:{markers('employer_markers')})\s", flags),
        # "som lagermedarbejder hos", "as a cook at": the title runs to a preposition.
        title_marker=re.compile(
            rf"\b(?:{markers('title_markers')})\s+([\w\- ]+?)"
            r"(?=\s+(?:hos|ved|i|på|at|for|in|with|from|fra|til|siden|since)\s|[,.;()]|$)",
            flags,
        ),
        languages=languages,
        language_names=re.compile(rf"\b({alternation(languages)})\b", flags),
        levels=levels,
        level_words=re.compile(rf"\b(?:{alternation(levels)})\b|{d['language_level_re']}", flags),
        speaking=re.compile(d["language_speaking_re"], flags),
        certificates=certs,
        driving=re.compile(d["driving_licence_re"], flags),
        categories=re.compile(rf"(?<!\w)({alternation(d['driving_categories'])})(?!\w)"),
        vehicles=vehicles,
        vehicle_words=re.compile(rf"\b({alternation(vehicles)})\b", flags),
        hours=hours,
        hour_words=re.compile(rf"\b({alternation(hours)})\b", flags),
        wish_context=re.compile(d["wish_context_re"], flags),
        commute=re.compile(d["commute_re"], flags),
        wish_labels=re.compile(rf"^\W*(?:{alternation(d['wish_labels'])})\s*[:\-–]\s*(.+)$", flags),
        wish_en=re.compile(d["wish_en_re"], flags),
        address=re.compile(d["address_re"], flags),
        town_context=re.compile(d["town_context_re"], flags),
        sentence_words=frozenset(d["sentence_words"]),
        max_title_words=int(d["max_title_words"]),
        abbreviation_end=re.compile(d["abbreviation_end_re"], flags),
        contact_line=re.compile(d["contact_line_re"], flags),
    )


# --------------------------------------------------------------------------- lines


@dataclass
class Line:
    """A logical line of the CV: its span in the text, its section and its kind."""

    start: int
    end: int
    text: str
    section: str = ""
    bullet: bool = False
    used: bool = False  # taken as an entry's header (or a table's column row)
    heading: bool = False  # a heading line (its text is left empty)
    placed: bool = False  # its words went into a job, an education or a skill list

    @property
    def span(self) -> Span:
        return (self.start, self.end)

    @property
    def n_words(self) -> int:
        return len(self.text.split())


def section_of(key: str, pats: CvPatterns) -> str | None:
    """The section a heading names, also a joined one ("Interesser/Fritid", "Kurser og
    certifikater": every part a heading; the first part decides)."""
    if key in pats.headings:
        return pats.headings[key]
    parts = [p.strip() for p in re.split(r"\s*[/&+,]\s*|\s+(?:og|and)\s+", key)]
    if len(parts) > 1 and all(p in pats.headings for p in parts):
        return pats.headings[parts[0]]
    return None


def heading_of(text: str, pats: CvPatterns) -> tuple[str | None, int]:
    """(section, offset of the content after an inline "Heading:"), or (None, 0)."""
    if (section := section_of(heading_key(text), pats)) is not None:
        return section, len(text)
    m = re.match(r"^\W*([^:\t]{2,40}?)\s*:\s*(\S.*)$", text)
    if m and (section := section_of(m.group(1).strip().lower(), pats)) is not None:
        return section, m.start(2)
    return None, 0


def split_lines(text: str, pats: CvPatterns) -> list[Line]:
    """Logical lines with sections; headings themselves are dropped."""
    lines: list[Line] = []
    section = ""
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped or re.fullmatch(r"[\W_]+", stripped):
            lines.append(Line(start, start, "", section))  # a blank line ends a block
            continue
        s = start + (len(raw) - len(raw.lstrip()))
        e = start + len(raw.rstrip())
        sec, offset = heading_of(stripped, pats)
        if sec is not None and offset >= len(stripped):
            section = sec
            lines.append(Line(s, s, "", section, heading=True))
            continue
        line_section = sec or section
        s += offset
        body = text[s:e]
        bullet = pats.bullet.match(body)
        if bullet and not pats.date_range.match(body):
            s += bullet.end()
        lines.append(Line(s, e, text[s:e], line_section, bullet=bool(bullet)))
    return join_wrapped(lines, text)


def join_wrapped(lines: list[Line], text: str) -> list[Line]:
    """Join a line broken mid-sentence with its continuation (Word and PDF copies do this)."""
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.text
            and ln.text
            and not ln.bullet
            and "\t" not in prev.text + ln.text
            and prev.section == ln.section
            and prev.n_words >= 6
            and not re.search(r"[.:;!?)]$", prev.text)
            and re.match(r"[a-zæøå(]", ln.text)
        ):
            prev.end = ln.end
            prev.text = text[prev.start : prev.end].replace("\n", " ").replace("\r", " ")
            continue
        out.append(ln)
    return out


def sentences(line: Line) -> Iterator[tuple[int, int]]:
    """Sentence spans within a line (absolute offsets)."""
    for m in re.finditer(r"[^.!?]+(?:[.!?](?!\d)|$)", line.text):
        seg = m.group(0)
        lead = len(seg) - len(seg.lstrip())
        if seg.strip():
            yield line.start + m.start() + lead, line.start + m.start() + len(seg.rstrip())


def list_items(line: Line) -> Iterator[tuple[int, int]]:
    """Items of a list line split on , ; | • and tabs (spans are absolute)."""
    for m in re.finditer(r"[^,;|•\t·]+", line.text):
        seg = m.group(0)
        if seg.strip(" .-–"):
            lead = len(seg) - len(seg.lstrip(" .-–"))
            yield line.start + m.start() + lead, line.start + m.start() + len(seg.rstrip(" .-–"))


# --------------------------------------------------------------------------- periods


def date_value(s: str, pats: CvPatterns) -> str | None:
    m = pats.one_date.search(s)
    if not m:
        return None
    month: int | None = None
    if m.group(1):
        month = pats.months.get(m.group(1).lower().rstrip("."))
    elif m.group(2):
        month = int(m.group(2))
    return f"{m.group(3)}-{month:02d}" if month else m.group(3)


@dataclass(frozen=True)
class PeriodHit:
    period: Period
    start: int
    end: int
    strong: bool  # a range or "siden": a lone year is weak


def find_periods(s: str, pats: CvPatterns, *, lone_years: bool = False) -> list[PeriodHit]:
    """Periods in a string, left to right, without overlaps (offsets relative to `s`)."""
    hits: list[PeriodHit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in pats.date_range.finditer(s):
        end_text = m.group(2)
        current = bool(pats.present.match(end_text.strip()))
        end = None if current else date_value(end_text, pats)
        hits.append(PeriodHit(Period(date_value(m.group(1), pats), end, current), *m.span(), True))
        taken.append(m.span())
    for m in pats.since.finditer(s):
        if free(*m.span()):
            hits.append(
                PeriodHit(Period(date_value(m.group(1), pats), None, True), *m.span(), True)
            )
            taken.append(m.span())
    for m in pats.open_range.finditer(s):
        if free(*m.span()):
            hits.append(
                PeriodHit(Period(date_value(m.group(1), pats), None, True), *m.span(), True)
            )
            taken.append(m.span())
    if lone_years:
        for m in pats.lone_year.finditer(s):
            if free(*m.span()):
                y = m.group(0)
                hits.append(PeriodHit(Period(y, y), *m.span(), False))
                taken.append(m.span())
    this_year = date.today().year
    return sorted(
        (h for h in hits if int((h.period.start or h.period.end or "0")[:4]) <= this_year + 1),
        key=lambda h: h.start,
    )


def without(s: str, a: int, b: int) -> str:
    """`s` with [a, b) cut out and the separators left around the cut tidied."""
    left = re.sub(r"[\s(\[,:|–—\-]+$", "", s[:a])
    right = re.sub(r"^[\s)\],:|–—\-.]+", "", s[b:])
    if left and right:
        return f"{left}, {right}" if not left.endswith(",") else f"{left} {right}"
    return left or right


# --------------------------------------------------------------------------- entries


@dataclass
class Entry:
    """A job or education entry: its period, header texts (with spans) and description."""

    period: PeriodHit | None
    span: Span
    header: list[tuple[str, Span]]
    description: list[str]
    columns: dict[str, str] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)  # header and description lines

    def place(self) -> None:
        """Mark the entry's lines as taken into the profile (their words are in it)."""
        for ln in self.lines:
            ln.placed = True


def table_columns(line: Line, pats: CvPatterns) -> list[str] | None:
    """Column names when a tab-separated line is a table's header row."""
    cells = [c.strip().lower() for c in line.text.split("\t")]
    cols = [pats.columns.get(c.rstrip(":"), "") for c in cells]
    return cols if sum(bool(c) for c in cols) >= 2 else None


def is_header_line(line: Line, pats: CvPatterns) -> bool:
    """A short line that can name a title, employer or degree (not a description)."""
    return (
        bool(line.text)
        and not line.used
        and (not line.bullet or line.n_words <= 6)
        and line.n_words <= 12
        and (not line.text.endswith(".") or bool(pats.abbreviation_end.search(line.text)))
        and not find_periods(line.text, pats)
    )


def find_entries(lines: list[Line], pats: CvPatterns, *, lone_years: bool) -> list[Entry]:
    """Entries of one section's lines: each line with a period, plus nearby header lines."""
    entries: list[Entry] = []
    columns: list[str] | None = None
    for i, ln in enumerate(lines):
        if not ln.text or ln.used:
            continue
        if "\t" in ln.text and (cols := table_columns(ln, pats)):
            columns, ln.used, ln.placed = cols, True, True
            continue
        hits = find_periods(ln.text, pats, lone_years=lone_years)
        if not hits or ln.n_words > 20:
            continue
        hit = hits[0]
        ln.used = True
        entry = Entry(
            PeriodHit(hit.period, ln.start + hit.start, ln.start + hit.end, hit.strong),
            ln.span,
            [],
            [],
            lines=[ln],
        )
        if "\t" in ln.text:
            table_entry(entry, ln, hit, columns)
        else:
            rest = without(ln.text, hit.start, hit.end).strip()
            if rest:
                entry.header.append((rest, ln.span))
            attach_neighbours(entry, lines, i, pats)
        entries.append(entry)
    return entries


def describe(entries: list[Entry], lines: list[Line]) -> list[Entry]:
    """The entries in text order, each given the unused lines after it up to the next one."""
    ordered = sorted(entries, key=lambda e: e.span[0])
    for k, entry in enumerate(ordered):
        stop = ordered[k + 1].span[0] if k + 1 < len(ordered) else 1 << 62
        described = [
            ln for ln in lines if ln.text and not ln.used and entry.span[1] <= ln.start < stop
        ]
        entry.description = [ln.text for ln in described]
        entry.lines += described
    return ordered


def table_entry(entry: Entry, ln: Line, hit: PeriodHit, columns: list[str] | None) -> None:
    pos = ln.start
    for j, cell in enumerate(ln.text.split("\t")):
        c0 = pos + len(cell) - len(cell.lstrip())
        span = (c0, c0 + len(cell.strip()))
        pos += len(cell) + 1
        if not cell.strip() or (entry.period and span[0] <= entry.period.start < span[1] + 1):
            continue
        name = columns[j] if columns and j < len(columns) else ""
        if name:
            entry.columns[name] = cell.strip()
        entry.header.append((cell.strip(), span))


def attach_neighbours(entry: Entry, lines: list[Line], i: int, pats: CvPatterns) -> None:
    """Header lines next to a period line: after it when the line itself names nothing or it
    opens a block, else before it (a "Title / Employer / 2019–2022" layout)."""
    after = [j for j in range(i + 1, min(i + 3, len(lines)))]
    before = [j for j in range(i - 1, max(i - 3, -1), -1)]
    has_own = bool(entry.header)
    prev_open = i == 0 or not lines[i - 1].text or lines[i - 1].used
    order = after if (prev_open or has_own) else before
    for j in order:
        ln = lines[j]
        if not is_header_line(ln, pats):
            break
        if has_own and order is after:
            break  # the period line named its job; what follows describes it
        ln.used = True
        entry.header.append((ln.text, ln.span))
        entry.lines.append(ln)
        lo, hi = min(entry.span[0], ln.start), max(entry.span[1], ln.end)
        entry.span = (lo, hi)
        if len(entry.header) >= 2:
            break
