"""Jobseeker profiles: reading, updating (validated against reference data) and sharing."""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    DEFAULT_COMMUTE_KM,
    CaseworkerAssignment,
    JobseekerProfile,
    Postcode,
    User,
    utcnow,
)
from app.services import matching, privacy, vocabulary
from consent import ledger


class ProfileError(ValueError):
    """Input that passed the form but not the reference data; ``field`` names the form field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class ProfileInput:
    """What the profile form delivers, already type-checked."""

    cv_text: str = ""
    experience: list[dict] = field(default_factory=list)
    education: list[dict] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    wished_occupations: list[str] = field(default_factory=list)
    wished_industries: list[str] = field(default_factory=list)
    hours_per_week: int | None = None
    commute_km: int = DEFAULT_COMMUTE_KM
    home_postcode: str | None = None
    accessibility_needs: str = ""


def get_profile(*, session: Session, user_id: int) -> JobseekerProfile | None:
    """The jobseeker's own profile."""
    return session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)).first()


def profile_or_blank(*, session: Session, user_id: int) -> JobseekerProfile:
    """The profile, or an empty one that is not stored (the form's GET writes nothing; the
    first save creates the row)."""
    return get_profile(session=session, user_id=user_id) or JobseekerProfile(user_id=user_id)


def get_or_create_profile(*, session: Session, user_id: int) -> JobseekerProfile:
    """The profile, created empty on first use (OIDC users arrive without one)."""
    profile = get_profile(session=session, user_id=user_id)
    if profile is None:
        profile = JobseekerProfile(user_id=user_id)
        session.add(profile)
        session.commit()
    return profile


def postcode_name(*, session: Session, code: str | None) -> str | None:
    """The town name of a Danish postcode, or None if unknown."""
    if not code:
        return None
    row = session.get(Postcode, code)
    return row.name if row else None


def _clean_rows(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    cleaned = []
    for row in rows:
        item = {k: (row.get(k) or "").strip() for k in keys}
        if any(item.values()):
            cleaned.append(item)
    return cleaned


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def update_profile(*, session: Session, user_id: int, data: ProfileInput) -> JobseekerProfile:
    """Validate against reference data and save in one transaction; nothing is saved on error."""
    postcode = (data.home_postcode or "").strip() or None
    if postcode and session.get(Postcode, postcode) is None:
        raise ProfileError("home_postcode", "unknown_postcode")
    profile = get_or_create_profile(session=session, user_id=user_id)
    profile.cv_text = data.cv_text.strip()
    profile.experience = _clean_rows(
        data.experience, ("title", "employer", "start", "end", "description")
    )
    profile.education = _clean_rows(data.education, ("title", "institution", "year"))
    profile.skills = [
        {"label": t.label, "esco_uri": t.uri}
        for t in (vocabulary.resolve_skill(session=session, label=s) for s in _unique(data.skills))
    ]
    profile.wished_occupations = [
        {"title": t.label, "esco_uri": t.uri, "isco_code": t.isco_code}
        for t in (
            vocabulary.resolve_occupation(session=session, title=o)
            for o in _unique(data.wished_occupations)
        )
    ]
    profile.wished_industries = _unique(data.wished_industries)
    profile.hours_per_week = data.hours_per_week
    profile.commute_km = data.commute_km
    profile.home_postcode = postcode
    profile.accessibility_needs = data.accessibility_needs.strip()
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    return profile


#: Rows the profile form holds (its FieldLists' max_entries).
FORM_ROWS = {"experience": 15, "education": 10, "skills": 40, "wished_occupations": 10}


def form_data(profile: JobseekerProfile) -> dict[str, Any]:
    """The profile as the profile form's data, with empty rows to type into."""
    return {
        "cv_text": profile.cv_text,
        "experience": profile.experience or [{}],
        "education": profile.education or [{}],
        "skills": [s["label"] for s in profile.skills] + ["", ""],
        "wished_occupations": [o["title"] for o in profile.wished_occupations] + [""],
        "wished_industries": profile.wished_industries,
        "hours_per_week": profile.hours_per_week,
        "commute_km": profile.commute_km,
        "home_postcode": profile.home_postcode,
        "accessibility_needs": profile.accessibility_needs,
    }


def form_data_with_reading(
    profile: JobseekerProfile, text: str, reading: matching.CvReading
) -> dict[str, Any]:
    """The profile form pre-filled with what was read from a CV file, for the person to check:
    the text as "About me", and the sure items added after the rows the profile already has
    (nothing twice); postcode and commute only where the profile has none of its own. Nothing
    is saved until the person saves the form."""
    data = form_data(profile)

    def merged(name: str, old: list[Any], new: list[Any], key: Any) -> list[Any]:
        kept = [row for row in old if key(row)]
        seen = {key(row) for row in kept}
        kept += [row for row in new if key(row) and key(row) not in seen]
        return (kept or [new[0] if new else {}])[: FORM_ROWS[name]]

    def row_key(row: dict[str, str]) -> str:
        parts = ((row.get(k) or "").strip().lower() for k in ("title", "employer", "institution"))
        return "|".join(parts).strip("|")

    def text_key(value: str) -> str:
        return value.strip().lower()

    data["cv_text"] = text
    data["experience"] = merged("experience", data["experience"], reading.experience, row_key)
    data["education"] = merged("education", data["education"], reading.education, row_key)
    data["skills"] = merged("skills", data["skills"], reading.skills, text_key) + [""]
    data["wished_occupations"] = merged(
        "wished_occupations", data["wished_occupations"], reading.wished_occupations, text_key
    ) + [""]
    if not profile.home_postcode and reading.home_postcode:
        data["home_postcode"] = reading.home_postcode
    if reading.commute_km and profile.commute_km == DEFAULT_COMMUTE_KM:
        data["commute_km"] = min(max(reading.commute_km, 1), 300)
    return data


#: Most concepts a person can mark as read wrongly (a bound on what one form can store).
MAX_REJECTED_CONCEPTS = 500


def set_concept_rejected(
    *, session: Session, user_id: int, uri: str, rejected: bool, known: Collection[str]
) -> bool:
    """Mark an ESCO concept read from the person's words as wrong, or take that back; returns
    whether anything changed. ``known`` are the concepts the recommender reads from them now:
    only those can be rejected (an undo is always allowed)."""
    profile = get_or_create_profile(session=session, user_id=user_id)
    current = list(profile.rejected_concepts or [])
    if rejected:
        if uri in current:
            return False
        if uri not in known:
            raise ProfileError("concept", "unknown_concept")
        if len(current) >= MAX_REJECTED_CONCEPTS:
            raise ProfileError("concept", "too_many_rejected")
        profile.rejected_concepts = [*current, uri]
    else:
        if uri not in current:
            return False
        profile.rejected_concepts = [u for u in current if u != uri]
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    return True


def shared_with(*, session: Session, caseworker_id: int) -> list[User]:
    """Jobseekers actively assigned to this caseworker who have not objected to sharing their
    profile with caseworkers (Art. 21): the objected are left out entirely, even their names."""
    statement = (
        select(User)
        .join(CaseworkerAssignment, col(CaseworkerAssignment.jobseeker_id) == User.id)
        .where(
            CaseworkerAssignment.caseworker_id == caseworker_id,
            col(CaseworkerAssignment.ended_at).is_(None),
        )
        .order_by(User.name)
    )
    shared = []
    for user in session.exec(statement).all():
        assert user.id is not None  # a stored row
        if ledger.is_permitted(session, user.id, privacy.CASEWORKER_SHARING):
            shared.append(user)
    return shared
