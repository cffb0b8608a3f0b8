"""Occupation and skill vocabulary for forms: Danish catalogue first, then English ESCO labels.

ESCO v1.1.1 ships here with English labels only, so Danish suggestions come from the curated
catalogue in ``recommender/data/occupations_da.json`` (Danish titles and skill phrases mapped to
ESCO
URIs); English ESCO labels from the database fill in.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import EscoOccupation, EscoSkill, Postcode


@dataclass(frozen=True)
class Term:
    """A label a person can pick, with the ESCO concept behind it."""

    label: str
    uri: str | None
    isco_code: str | None = None


@cache
def _catalogue() -> dict:
    try:
        text = (resources.files("recommender") / "data" / "occupations_da.json").read_text("utf-8")
    except FileNotFoundError:
        return {"occupations": [], "transversal_da": []}
    return json.loads(text)


@cache
def danish_occupations() -> tuple[Term, ...]:
    """Danish occupation titles (and variants) with their ESCO URI and ISCO code."""
    terms = []
    for occupation in _catalogue().get("occupations", []):
        for title in [occupation["title_da"], *occupation.get("alt_titles_da", [])]:
            terms.append(Term(title, occupation["esco_uri"], occupation.get("isco_code")))
    return tuple(terms)


@cache
def danish_skills() -> tuple[Term, ...]:
    """Danish skill phrases with their ESCO URI, without duplicates."""
    seen: dict[str, Term] = {}
    entries = [s for o in _catalogue().get("occupations", []) for s in o.get("skills", [])]
    entries += _catalogue().get("transversal_da", [])
    for skill in entries:
        for phrase in skill.get("da", []):
            seen.setdefault(phrase.lower(), Term(phrase, skill["esco_uri"]))
    return tuple(sorted(seen.values(), key=lambda t: t.label))


def _like(query: str) -> str:
    """A LIKE pattern that matches ``query`` literally (``%`` and ``_`` escaped)."""
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(terms: tuple[Term, ...], query: str, limit: int) -> list[Term]:
    q = query.strip().lower()
    starts = [t for t in terms if t.label.lower().startswith(q)]
    contains = [t for t in terms if q in t.label.lower() and t not in starts]
    return (starts + contains)[:limit]


def search_skills(*, session: Session, query: str, limit: int = 10) -> list[Term]:
    """Skills matching what the person types: Danish phrases first, then ESCO's English labels."""
    if len(query.strip()) < 2:
        return []
    found = _search(danish_skills(), query, limit)
    if len(found) < limit:
        rows = session.exec(
            select(EscoSkill.label, EscoSkill.uri)
            .where(col(EscoSkill.label).ilike(_like(query), escape="\\"))
            .order_by(EscoSkill.label)
            .limit(limit - len(found))
        ).all()
        found += [Term(label, uri) for label, uri in rows]
    return found


def search_occupations(*, session: Session, query: str, limit: int = 10) -> list[Term]:
    """Occupations matching what the person types: Danish titles, then ESCO's English labels."""
    if len(query.strip()) < 2:
        return []
    found = _search(danish_occupations(), query, limit)
    if len(found) < limit:
        rows = session.exec(
            select(EscoOccupation.label, EscoOccupation.uri, EscoOccupation.isco_code)
            .where(col(EscoOccupation.label).ilike(_like(query), escape="\\"))
            .order_by(EscoOccupation.label)
            .limit(limit - len(found))
        ).all()
        found += [Term(label, uri, isco) for label, uri, isco in rows]
    return found


def resolve_skill(*, session: Session, label: str) -> Term:
    """The ESCO concept behind a skill label, if the label is known exactly (case-insensitive)."""
    wanted = label.strip().lower()
    for term in danish_skills():
        if term.label.lower() == wanted:
            return Term(label.strip(), term.uri)
    row = session.exec(select(EscoSkill.uri).where(func.lower(EscoSkill.label) == wanted)).first()
    return Term(label.strip(), row)


def resolve_occupation(*, session: Session, title: str) -> Term:
    """The ESCO occupation behind a title, if the title is known exactly (case-insensitive)."""
    wanted = title.strip().lower()
    for term in danish_occupations():
        if term.label.lower() == wanted:
            return Term(title.strip(), term.uri, term.isco_code)
    row = session.exec(
        select(EscoOccupation.uri, EscoOccupation.isco_code).where(
            func.lower(EscoOccupation.label) == wanted
        )
    ).first()
    return Term(title.strip(), row[0] if row else None, row[1] if row else None)


def occupation_label(*, session: Session, uri: str | None, locale: str) -> str | None:
    """A readable title for an ESCO occupation: Danish from the catalogue, else ESCO's English."""
    if not uri:
        return None
    if not locale.lower().startswith("en"):
        danish = next((t.label for t in danish_occupations() if t.uri == uri), None)
        if danish:
            return danish
    return session.exec(select(EscoOccupation.label).where(EscoOccupation.uri == uri)).first()


def place_name(*, session: Session, code: str | None) -> str | None:
    """The town of a postcode, for showing where a meeting or a job is."""
    row = session.get(Postcode, code) if code else None
    return row.name if row else None
