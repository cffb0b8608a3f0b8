"""Jobseeker profiles: reading, updating (validated against reference data) and sharing."""

import re
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
from app.services import concurrency, cv_files, matching, privacy, vocabulary
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


@dataclass(frozen=True)
class FileReading:
    """An uploaded CV file read for the profile form: the form's data, what the file gave and
    the readings too unsure to fill in."""

    form: dict[str, Any]
    read: cv_files.CvText
    unsure: list[tuple[str, str]]


def read_cv_upload(*, session: Session, user_id: int, data: bytes) -> FileReading:
    """The profile form pre-filled from an uploaded CV file (a JSON Resume, or any file
    ``cv_files`` reads, raising its ``CvFileError``); nothing is stored."""
    record = profile_or_blank(session=session, user_id=user_id)
    resume = cv_files.json_resume(data)
    if resume is not None:
        text, from_resume = reading_from_json_resume(resume)
        form = form_data_with_reading(record, text or record.cv_text, from_resume)
        return FileReading(form, cv_files.CvText(text=text, kind="json-resume"), [])
    read = cv_files.read_cv_file(data)
    reading = matching.read_cv(session=session, user_id=user_id, text=read.text)
    form = form_data_with_reading(record, read.text, reading or NOTHING_READ)
    return FileReading(form, read, reading.unsure if reading else [])


#: What an opted-out person's CV file gives the form besides its text: nothing is read from it.
NOTHING_READ = matching.CvReading([], [], [], [], None, None, [])


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


JSON_RESUME_SCHEMA = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"


def to_json_resume(profile: JobseekerProfile, user: User) -> dict[str, Any]:
    """The profile as a JSON Resume (jsonresume.org), the open CV format, to take along; what
    JSON Resume has no field for (wishes, commute, hours) goes under ``meta.jobunivers``."""
    return {
        "$schema": JSON_RESUME_SCHEMA,
        "basics": {
            "name": user.name,
            **({"email": user.email} if user.email else {}),
            "summary": profile.cv_text,
            "location": {"postalCode": profile.home_postcode or "", "countryCode": "DK"},
        },
        "work": [
            {
                "position": row.get("title", ""),
                "name": row.get("employer", ""),
                "startDate": row.get("start", ""),
                "endDate": row.get("end", ""),
                "summary": row.get("description", ""),
            }
            for row in profile.experience
        ],
        "education": [
            {
                "area": row.get("title", ""),
                "institution": row.get("institution", ""),
                "endDate": row.get("year", ""),
            }
            for row in profile.education
        ],
        "skills": [
            {"name": s["label"], **({"keywords": [s["esco_uri"]]} if s.get("esco_uri") else {})}
            for s in profile.skills
        ],
        "meta": {
            "jobunivers": {
                "wished_occupations": [o["title"] for o in profile.wished_occupations],
                "wished_industries": list(profile.wished_industries),
                "hours_per_week": profile.hours_per_week,
                "commute_km": profile.commute_km,
            }
        },
    }


def reading_from_json_resume(doc: dict[str, Any]) -> tuple[str, matching.CvReading]:
    """A JSON Resume's summary and its rows, to pre-fill the profile form like a read CV file;
    anything of the wrong type is skipped, never trusted (the form validates what is kept)."""

    def text(value: Any, limit: int = 160) -> str:
        return value.strip()[:limit] if isinstance(value, str) else ""

    def month(value: Any) -> str:
        m = re.match(r"(\d{4})(-\d{2})?", text(value))
        return m.group(0) if m else ""

    def rows(key: str) -> list[dict[str, Any]]:
        value = doc.get(key)
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    def part(parent: dict[str, Any], key: str) -> dict[str, Any]:
        value = parent.get(key)
        return value if isinstance(value, dict) else {}

    basics = part(doc, "basics")
    location = part(basics, "location")
    own = part(part(doc, "meta"), "jobunivers")
    postcode = text(location.get("postalCode"))
    commute = own.get("commute_km")
    wishes = own.get("wished_occupations")
    reading = matching.CvReading(
        experience=[
            {
                "title": text(r.get("position")),
                "employer": text(r.get("name") or r.get("company")),
                "start": month(r.get("startDate")),
                "end": month(r.get("endDate")),
            }
            for r in rows("work")
            if text(r.get("position"))
        ],
        education=[
            {
                "title": text(r.get("area") or r.get("studyType")),
                "institution": text(r.get("institution")),
                "year": month(r.get("endDate"))[:4],
            }
            for r in rows("education")
            if text(r.get("area") or r.get("studyType"))
        ],
        skills=[text(r.get("name"), 120) for r in rows("skills") if text(r.get("name"))]
        + [text(r.get("language"), 120) for r in rows("languages") if text(r.get("language"))],
        wished_occupations=[text(w) for w in wishes if text(w)] if isinstance(wishes, list) else [],
        home_postcode=postcode if re.fullmatch(r"\d{4}", postcode) else None,
        commute_km=commute if isinstance(commute, int) and 1 <= commute <= 300 else None,
        unsure=[],
    )
    return text(basics.get("summary"), 8000), reading


#: Most concepts a person can mark as read wrongly (a bound on what one form can store).
MAX_REJECTED_CONCEPTS = 500


def set_concept_rejected(
    *, session: Session, user_id: int, uri: str, rejected: bool, known: Collection[str]
) -> bool:
    """Mark an ESCO concept read from the person's words as wrong, or take that back; returns
    whether anything changed. ``known`` are the concepts the recommender reads from them now:
    only those can be rejected (an undo is always allowed)."""
    created = get_or_create_profile(session=session, user_id=user_id)
    assert created.id is not None  # a stored row
    # Read and write the list under the profile's row lock: two corrections at once both stay.
    profile = concurrency.lock_row(session=session, model=JobseekerProfile, row_id=created.id)
    if profile is None:  # erased meanwhile
        session.rollback()
        return False
    current = list(profile.rejected_concepts or [])
    problem = None
    if rejected and uri not in current:
        if uri not in known:
            problem = "unknown_concept"
        elif len(current) >= MAX_REJECTED_CONCEPTS:
            problem = "too_many_rejected"
    changed = (uri not in current) if rejected else (uri in current)
    if problem or not changed:
        session.rollback()  # ends the transaction and its lock
        if problem:
            raise ProfileError("concept", problem)
        return False
    profile.rejected_concepts = [*current, uri] if rejected else [u for u in current if u != uri]
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
