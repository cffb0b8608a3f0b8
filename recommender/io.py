"""Reading postings and profiles from JSON Lines, and writing TREC runs.

Postings are schema.org `JobPosting` objects, one per line; profiles are JSON Resume objects
plus an `id`, one per line. Readers are lenient about optional fields (a missing one switches the
matching ranking component off) and strict about the few required ones (`identifier` and `title`
for a posting, `id` for a profile). A malformed line becomes a `LineError` naming the file and
line number; the other lines are still read.

Extensions to JSON Resume understood here (all optional): `commuteKm`, `hours`, `industries`,
`wishedOccupations` (titles, ESCO occupation URIs or ISCO codes), `swipes` ([{postingId, action}])
and `basics.location.latitude/longitude`. `interests` (names and keywords) are kept as free
text, except keywords that are ESCO occupation URIs or ISCO codes, which are wishes; the ranker
counts an interest that names an occupation as a wish.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .esco import OCC_PREFIX
from .types import Posting, Profile, Recommendation, Swipe

_TAG = re.compile(r"<[^>]+>")
_ISCO = re.compile(r"^\d{4}$")


@dataclass
class LineError:
    """A line that could not be read."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RecordError(ValueError):
    """A JSON object that does not describe a posting or profile."""


def _text(value: Any) -> str:
    """Plain text of a string, list of strings or object with a name (HTML tags removed)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("value") or value.get("description"))
    s = str(value)
    if "<" in s:
        s = _TAG.sub(" ", s)
    return html.unescape(s).strip()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    """A list of strings from a string (split on , ; newline), list, or named objects."""
    out: list[str] = []
    for v in _as_list(value):
        if isinstance(v, dict):
            v = v.get("name") or v.get("termCode") or v.get("url") or v.get("@id")
        if isinstance(v, str):
            parts = re.split(r"[;\n]|,(?!\d)", v) if not v.startswith("http") else [v]
            out.extend(p.strip() for p in parts if p.strip())
    return out


def _identifier(obj: dict[str, Any]) -> tuple[str, str | None]:
    ident = obj.get("identifier")
    source = None
    if isinstance(ident, list):
        ident = ident[0] if ident else None
    if isinstance(ident, dict):
        source = ident.get("propertyID") or ident.get("name")
        ident = ident.get("value")
    if ident is None:
        ident = obj.get("@id") or obj.get("url") or obj.get("id")
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        raise RecordError("missing identifier")
    if not isinstance(ident, str | int):
        raise RecordError("identifier must be a string, number or PropertyValue with a value")
    return str(ident).strip(), str(source) if source else None


def _occupation(value: Any) -> tuple[str | None, str | None]:
    """(ESCO occupation URI, ISCO code) from occupationalCategory in its several shapes."""
    uri = isco = None
    for v in _as_list(value):
        cands: list[str] = []
        if isinstance(v, dict):
            cands = [str(x) for x in (v.get("@id"), v.get("url"), v.get("codeValue")) if x]
            cands += [str(x) for x in (v.get("termCode"), v.get("name")) if x]
        elif isinstance(v, str | int):
            cands = [str(v)]
        for c in cands:
            c = c.strip()
            if c.startswith(OCC_PREFIX) and not uri:
                uri = c
            head = c.split()[0] if c.split() else ""
            if _ISCO.match(head) and not isco:
                isco = head
    return uri, isco


def _place(obj: dict[str, Any]) -> tuple[str | None, float | None, float | None]:
    postcode: str | None = None
    lat = lon = None
    for loc in _as_list(obj.get("jobLocation")):
        if not isinstance(loc, dict):
            continue
        addr = loc.get("address")
        if isinstance(addr, dict) and addr.get("postalCode") and postcode is None:
            postcode = str(addr["postalCode"]).strip()
        geo = loc.get("geo")
        if isinstance(geo, dict) and geo.get("latitude") is not None and lat is None:
            lat, lon = float(geo["latitude"]), float(geo["longitude"])
    return postcode, lat, lon


def posting_from_jsonld(obj: Any) -> Posting:
    """A `Posting` from a schema.org JobPosting object (raises `RecordError` if unusable)."""
    if not isinstance(obj, dict):
        raise RecordError("a JobPosting must be a JSON object")
    pid, source = _identifier(obj)
    title = _text(obj.get("title"))
    if not title:
        raise RecordError("missing title")
    uri, isco = _occupation(obj.get("occupationalCategory"))
    postcode, lat, lon = _place(obj)
    org = obj.get("hiringOrganization")
    employer = _text(org) or None
    remote = any(str(t).upper() == "TELECOMMUTE" for t in _as_list(obj.get("jobLocationType")))
    edu = obj.get("educationRequirements")
    requires: bool | None = None
    if edu is not None:
        requires = not bool(re.search(r"no requirements|ingen", _text(edu), re.IGNORECASE))
    etype = _as_list(obj.get("employmentType"))
    return Posting(
        id=pid,
        title=title,
        description=_text(obj.get("description")),
        skills=_strings(obj.get("skills")),
        occupation_uri=uri,
        isco_code=isco,
        postcode=postcode,
        lat=lat,
        lon=lon,
        remote=remote,
        employment_type=str(etype[0]) if etype else None,
        hours=_text(obj.get("workHours")) or None,
        industry=_text(obj.get("industry")) or None,
        source=str(obj.get("source") or source or "") or None,
        source_id=pid,
        date_posted=_text(obj.get("datePosted")) or None,
        valid_through=_text(obj.get("validThrough")) or None,
        employer=employer,
        requires_qualifications=requires,
    )


def profile_from_resume(obj: Any) -> Profile:
    """A `Profile` from a JSON Resume object with an `id` (raises `RecordError` if unusable)."""
    if not isinstance(obj, dict):
        raise RecordError("a profile must be a JSON object")
    pid = obj.get("id")
    if pid is None or not str(pid).strip():
        raise RecordError("missing id")
    basics = obj.get("basics") or {}
    if not isinstance(basics, dict):
        raise RecordError("basics must be an object")
    loc = basics.get("location") or {}
    work, work_titles = [], []
    for w in _as_list(obj.get("work")):
        if not isinstance(w, dict):
            continue
        pos = _text(w.get("position"))
        if pos:
            work_titles.append(pos)
        parts = [pos, _text(w.get("name")), _text(w.get("summary")), _text(w.get("highlights"))]
        work.append(". ".join(p for p in parts if p))
    education = []
    for e in _as_list(obj.get("education")):
        if isinstance(e, dict):
            parts = [_text(e.get(k)) for k in ("studyType", "area", "institution", "courses")]
            education.append(", ".join(p for p in parts if p))
    skills: list[str] = []
    for s in _as_list(obj.get("skills")):
        if isinstance(s, dict):
            skills += _strings(s.get("name")) + _strings(s.get("keywords"))
        elif isinstance(s, str):
            skills.append(s)
    for lang in _as_list(obj.get("languages")):
        if isinstance(lang, dict) and lang.get("language"):
            skills.append(str(lang["language"]))
    titles: list[str] = []
    uris: list[str] = []
    iscos: list[str] = []
    industries = _strings(obj.get("industries"))

    def wish(value: str) -> None:
        if value.startswith(OCC_PREFIX):
            uris.append(value)
        elif _ISCO.match(value):
            iscos.append(value)
        else:
            titles.append(value)

    for w in _strings(obj.get("wishedOccupations")):
        wish(w)
    interests: list[str] = []
    for it in _as_list(obj.get("interests")):
        if isinstance(it, dict):
            if it.get("name"):
                interests.append(_text(it["name"]))
            for kw in _strings(it.get("keywords")):
                if kw.startswith(OCC_PREFIX) or _ISCO.match(kw):
                    wish(kw)
                else:
                    interests.append(kw)
        elif isinstance(it, str):
            interests.append(it)
    swipes = []
    for s in _as_list(obj.get("swipes")):
        if isinstance(s, dict) and s.get("action") in ("yes", "no", "save"):
            swipes.append(Swipe(str(s.get("postingId") or s.get("posting_id")), s["action"]))
    commute = obj.get("commuteKm")
    try:
        commute_km = float(commute) if commute is not None else None
    except (TypeError, ValueError) as exc:
        raise RecordError("commuteKm must be a number") from exc
    summary = _text(basics.get("summary"))
    label = _text(basics.get("label"))
    return Profile(
        id=str(pid).strip(),
        summary="\n".join(x for x in (label, summary) if x),
        work=work,
        education=[e for e in education if e],
        skills=skills,
        wished_titles=titles,
        wished_occupation_uris=uris,
        wished_isco_codes=iscos,
        industries=industries,
        hours=_text(obj.get("hours")) or None,
        postcode=str(loc.get("postalCode")).strip()
        if isinstance(loc, dict) and loc.get("postalCode")
        else None,
        lat=float(loc["latitude"])
        if isinstance(loc, dict) and loc.get("latitude") is not None
        else None,
        lon=float(loc["longitude"])
        if isinstance(loc, dict) and loc.get("longitude") is not None
        else None,
        commute_km=commute_km,
        swipes=swipes,
        work_titles=([label] if label else []) + work_titles,
        interests=interests,
    )


def _read_jsonl(path: str | Path, parse: Any) -> tuple[list[Any], list[LineError]]:
    items: list[Any] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = parse(json.loads(line))
            except json.JSONDecodeError as exc:
                errors.append(
                    LineError(str(path), n, f"invalid JSON ({exc.msg}, column {exc.colno})")
                )
                continue
            except (RecordError, TypeError, ValueError, AttributeError) as exc:
                errors.append(LineError(str(path), n, str(exc) or type(exc).__name__))
                continue
            if item.id in seen:
                errors.append(LineError(str(path), n, f"duplicate id {item.id!r} (first one kept)"))
                continue
            seen.add(item.id)
            items.append(item)
    return items, errors


def write_jsonl(path: str | Path, rows: list[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8 as written (not ASCII-escaped), LF line ends."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_postings(path: str | Path) -> tuple[list[Posting], list[LineError]]:
    """Postings from a JSON Lines file of schema.org JobPostings, and the lines that failed."""
    return _read_jsonl(path, posting_from_jsonld)


def read_profiles(path: str | Path) -> tuple[list[Profile], list[LineError]]:
    """Profiles from a JSON Lines file of JSON Resumes with `id`, and the lines that failed."""
    return _read_jsonl(path, profile_from_resume)


def iter_trec(qid: str, recs: list[Recommendation], tag: str) -> Iterator[str]:
    """TREC run lines (`qid Q0 docid rank score tag`) with strictly decreasing scores.

    Tools such as trec_eval re-sort by score, so ties are broken here in rank order.
    """
    prev = None
    for r in recs:
        score = round(r.score, 6)
        if prev is not None and score >= prev:
            score = prev - 1e-6
        prev = score
        yield f"{qid} Q0 {r.posting_id} {r.rank} {score:.6f} {tag}"


def write_trec(out: TextIO, qid: str, recs: list[Recommendation], tag: str) -> int:
    """Write one query's run lines; returns the number written."""
    n = 0
    for line in iter_trec(qid, recs, tag):
        out.write(line + "\n")
        n += 1
    return n
