"""Job postings (schema.org JobPosting): employers post, edit and close their organisation's jobs.

A posting's place comes from the ``Postcode`` table (town name and centroid) and its occupation from
the ESCO vocabulary, so the recommender can measure distance and occupation overlap. Closing sets
``valid_through`` to yesterday: the posting leaves every deck (``active_postings_filter``) but stays
on the employer's list and can be reopened by editing the date.

Employers see how many jobseekers said yes to or saved a posting as counts only, never who.

All functions take keyword-only arguments and an explicit session, and commit their own changes.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from app.models import Employer, JobPosting, Postcode, SavedJob, Swipe, utcnow
from app.services import vocabulary

SOURCE = "jobunivers"
TITLE_MAX = 200
DESCRIPTION_MIN = 50
DESCRIPTION_MAX = 20_000
HOURS_RANGE = (1, 60)
SKILLS_MAX = 20
SKILL_MAX = 120
INDUSTRY_MAX = 120
# schema.org employmentType values offered to employers.
EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "TEMPORARY", "CONTRACT", "INTERN")


class PostingError(ValueError):
    """Input the rules do not allow; ``field`` names the form field, if any."""

    def __init__(self, message: str, field_name: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field_name


class PostingNotFound(LookupError):
    """No such posting for this organisation (other organisations' postings are not revealed)."""


@dataclass
class PostingInput:
    """A posting as the form delivers it."""

    title: str
    description: str
    postcode: str
    valid_through: date
    remote: bool = False
    occupation: str | None = None
    skills: list[str] = field(default_factory=list)
    industry: str | None = None
    employment_type: str = "FULL_TIME"
    hours_per_week: int | None = None


@dataclass(frozen=True)
class PostingInterest:
    """How many jobseekers answered a posting: counts only, no one is named."""

    said_yes: int
    saved: int


def latest_valid_through(today: date) -> date:
    """The last closing date allowed: one year on (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def is_open(posting: JobPosting, today: date | None = None) -> bool:
    """Is the posting still open for applications (``active_postings_filter`` in Python)?"""
    return posting.valid_through is None or posting.valid_through >= (today or date.today())


def active_postings_filter(today: date | None = None) -> ColumnElement[bool]:
    """Postings still open for applications, as a ``WHERE`` clause (decks, index, notices)."""
    today = today or date.today()
    return or_(col(JobPosting.valid_through).is_(None), col(JobPosting.valid_through) >= today)


def _clean_skills(skills: list[str]) -> list[str]:
    """Skill labels trimmed, without empties and case-insensitive duplicates, in typed order."""
    seen: dict[str, str] = {}
    for label in skills:
        label = " ".join((label or "").split())
        if label:
            seen.setdefault(label.lower(), label)
    return list(seen.values())


def _check(
    session: Session, data: PostingInput, today: date
) -> tuple[Postcode, vocabulary.Term | None, list[str]]:
    """Validate against the rules and the reference data; the first problem raises."""
    title = data.title.strip()
    if not title:
        raise PostingError("required", "title")
    if len(title) > TITLE_MAX:
        raise PostingError("too_long", "title")
    description = data.description.strip()
    if not description:
        raise PostingError("required", "description")
    if len(description) < DESCRIPTION_MIN:
        raise PostingError("too_short", "description")
    if len(description) > DESCRIPTION_MAX:
        raise PostingError("too_long", "description")
    if data.employment_type not in EMPLOYMENT_TYPES:
        raise PostingError("employment_type", "employment_type")
    if data.hours_per_week is not None and not (
        HOURS_RANGE[0] <= data.hours_per_week <= HOURS_RANGE[1]
    ):
        raise PostingError("hours", "hours_per_week")
    if data.industry and len(data.industry) > INDUSTRY_MAX:
        raise PostingError("too_long", "industry")
    if data.valid_through < today:
        raise PostingError("in_the_past", "valid_through")
    if data.valid_through > latest_valid_through(today):
        raise PostingError("too_far", "valid_through")
    skills = _clean_skills(data.skills)
    if len(skills) > SKILLS_MAX:
        raise PostingError("too_many_skills", "skills")
    if any(len(label) > SKILL_MAX for label in skills):
        raise PostingError("too_long", "skills")
    postcode = session.get(Postcode, data.postcode.strip())
    if postcode is None:
        raise PostingError("unknown_postcode", "postcode")
    occupation = None
    if data.occupation and data.occupation.strip():
        occupation = vocabulary.resolve_occupation(session=session, title=data.occupation)
        if occupation.uri is None:
            # Only the ESCO concept is stored, so a title we cannot resolve would be lost.
            raise PostingError("unknown_occupation", "occupation")
    return postcode, occupation, skills


def _fill(
    posting: JobPosting,
    data: PostingInput,
    postcode: Postcode,
    occupation: vocabulary.Term | None,
    skills: list[str],
) -> None:
    posting.title = data.title.strip()
    posting.description = data.description.strip()
    posting.postcode = postcode.code
    posting.city = postcode.name
    posting.latitude = postcode.latitude
    posting.longitude = postcode.longitude
    posting.remote = data.remote
    posting.occupation_uri = occupation.uri if occupation else None
    posting.isco_code = occupation.isco_code if occupation else None
    posting.industry = data.industry or None
    posting.skills = skills
    posting.employment_type = data.employment_type
    posting.hours_per_week = data.hours_per_week
    posting.valid_through = data.valid_through


def _organisation(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise LookupError(f"no employer {employer_id}")
    return employer


def create_posting(
    *, session: Session, employer_id: int, data: PostingInput, today: date | None = None
) -> JobPosting:
    """Validate and store a new posting; nothing is stored when ``PostingError`` is raised."""
    today = today or date.today()
    postcode, occupation, skills = _check(session, data, today)
    organisation = _organisation(session, employer_id)
    posting = JobPosting(
        title="",
        description="",
        hiring_organization=organisation.name,
        employer_id=employer_id,
        source=SOURCE,
        source_id=f"emp{employer_id}-{uuid4().hex[:12]}",
        date_posted=today,
    )
    _fill(posting, data, postcode, occupation, skills)
    session.add(posting)
    session.commit()
    return posting


def get_posting(*, session: Session, employer_id: int, posting_id: int) -> JobPosting:
    """One of the organisation's own postings; ``PostingNotFound`` for anyone else's."""
    posting = session.get(JobPosting, posting_id)
    if posting is None or posting.employer_id != employer_id:
        raise PostingNotFound(posting_id)
    return posting


def update_posting(
    *,
    session: Session,
    employer_id: int,
    posting_id: int,
    data: PostingInput,
    today: date | None = None,
) -> JobPosting:
    """Validate and save changes to one of the organisation's postings (a past date reopens it).

    Nothing changes when ``PostingError`` is raised. The embedding follows on the next
    ``matching.embed_postings``, which notices the changed text.
    """
    posting = get_posting(session=session, employer_id=employer_id, posting_id=posting_id)
    postcode, occupation, skills = _check(session, data, today or date.today())
    _fill(posting, data, postcode, occupation, skills)
    # The organisation may have been renamed since the posting was made.
    posting.hiring_organization = _organisation(session, employer_id).name
    posting.updated_at = utcnow()
    session.add(posting)
    session.commit()
    return posting


def close_posting(
    *, session: Session, employer_id: int, posting_id: int, today: date | None = None
) -> JobPosting:
    """Close a posting now: ``valid_through`` becomes yesterday, so it leaves every deck.

    A posting that is already closed keeps its original closing date.
    """
    today = today or date.today()
    posting = get_posting(session=session, employer_id=employer_id, posting_id=posting_id)
    if is_open(posting, today):
        posting.valid_through = today - timedelta(days=1)
        posting.updated_at = utcnow()
        session.add(posting)
        session.commit()
    return posting


def interest(*, session: Session, employer_id: int, posting_id: int) -> PostingInterest:
    """How many jobseekers said yes to and kept (saved) one of the organisation's postings.

    Counts only: who answered is personal data the employer has no basis to see. A yes also
    puts the posting on the person's saved list, so ``saved`` includes the yeses still kept.
    """
    posting = get_posting(session=session, employer_id=employer_id, posting_id=posting_id)
    said_yes = session.exec(
        select(func.count())
        .select_from(Swipe)
        .where(Swipe.posting_id == posting.id, Swipe.action == "yes")
    ).one()
    saved = session.exec(
        select(func.count()).select_from(SavedJob).where(SavedJob.posting_id == posting.id)
    ).one()
    return PostingInterest(said_yes=said_yes, saved=saved)


def occupation_title(*, session: Session, uri: str | None, locale: str) -> str | None:
    """A title for the posting's occupation that ``vocabulary.resolve_occupation`` maps back to
    ``uri`` (the edit form shows it, and saving must not lose the occupation)."""
    if not uri:
        return None
    label = vocabulary.occupation_label(session=session, uri=uri, locale=locale)
    if label is None:  # an English page without the ESCO tables loaded: the Danish title works
        label = next((t.label for t in vocabulary.danish_occupations() if t.uri == uri), None)
    return label


def for_employer(*, session: Session, employer_id: int | None, limit: int = 50) -> list[JobPosting]:
    """The newest postings of one employer organisation."""
    if employer_id is None:
        return []
    statement = (
        select(JobPosting)
        .where(JobPosting.employer_id == employer_id)
        .order_by(col(JobPosting.date_posted).desc(), col(JobPosting.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())
