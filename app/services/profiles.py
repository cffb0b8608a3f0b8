"""Jobseeker profiles: reading, updating (validated against reference data) and sharing."""

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import CaseworkerAssignment, JobseekerProfile, Postcode, User, utcnow
from app.services import privacy, vocabulary
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
    commute_km: int = 30
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
