"""Coffee meetings: employers offer them, jobseekers answer yes or no, employers answer the yeses.

Saying yes shares the person's name, a CV summary and their wished occupations with the employer,
so it needs the person's consent to the ``employer_coffee`` purpose; accessibility needs are never
read here. The employer's view of the people who said yes goes through ``consent.guard`` for every
person on every view, so a withdrawal hides them at once and each read (refused ones too) lands in
the person's access log.

All functions take keyword-only arguments and an explicit session, and commit their own changes.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery, func
from sqlmodel import Session, col, select

from app.models import (
    CoffeeMeeting,
    CoffeeResponse,
    Employer,
    JobseekerProfile,
    Notification,
    Postcode,
    User,
    utcnow,
)
from app.services import matching, vocabulary
from app.services.concurrency import insert_once, lock_row
from app.services.privacy import EMPLOYER_COFFEE
from consent import guard, ledger

ANSWERS = ("yes", "no")
DECISIONS = {"accept": "accepted", "decline": "declined"}
# What the employer sees of a person who said yes; must stay within the purpose's categories.
SHARED_CATEGORIES = ("identity", "cv", "job_preferences", "coffee_meetings")
# Answering a sign-up processes the sign-up itself, not the profile.
SIGN_UP_CATEGORIES = ("coffee_meetings",)
CV_SUMMARY_CHARS = 400
MESSAGE_MAX = 1000
TITLE_MAX = 160
LOCATION_MAX = 200
DESCRIPTION_MAX = 4000
DURATION_RANGE = (10, 240)
CAPACITY_RANGE = (1, 100)


class CoffeeError(ValueError):
    """Input or an action the rules do not allow; ``field`` names the form field, if any."""

    def __init__(self, message: str, field_name: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field_name


class OfferNotFound(LookupError):
    """No such offer for this organisation (other organisations' offers are not revealed)."""


class ResponseNotFound(LookupError):
    """No such answer for this person or this offer."""


class ConsentNeededError(PermissionError):
    """The person has not (or no longer) consented to ``employer_coffee``."""


# --- Employers: offers -------------------------------------------------------------------------


@dataclass
class OfferInput:
    """An offer as the form delivers it; ``starts_at`` is timezone-aware."""

    title: str
    description: str
    location: str
    postcode: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    occupation: str | None = None


@dataclass
class OfferSummary:
    """An offer with how the yes answers stand."""

    meeting: CoffeeMeeting
    pending: int
    accepted: int
    declined: int

    @property
    def meeting_id(self) -> int:
        assert self.meeting.id is not None  # offers come from the database
        return self.meeting.id

    @property
    def yes_count(self) -> int:
        return self.pending + self.accepted + self.declined

    @property
    def seats_left(self) -> int:
        return max(0, self.meeting.capacity - self.pending - self.accepted)

    @property
    def upcoming(self) -> bool:
        return self.meeting.cancelled_at is None and self.meeting.starts_at > utcnow()


def _check_offer(
    session: Session, data: OfferInput, now: datetime
) -> tuple[Postcode, vocabulary.Term | None]:
    """Validate against the rules and the reference data; the first problem raises."""
    for field_name, value, limit in (
        ("title", data.title, TITLE_MAX),
        ("description", data.description, DESCRIPTION_MAX),
        ("location", data.location, LOCATION_MAX),
    ):
        if not value.strip():
            raise CoffeeError("required", field_name)
        if len(value.strip()) > limit:
            raise CoffeeError("too_long", field_name)
    if data.starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    if data.starts_at <= now:
        raise CoffeeError("in_the_past", "start_date")
    if not DURATION_RANGE[0] <= data.duration_minutes <= DURATION_RANGE[1]:
        raise CoffeeError("duration", "duration_minutes")
    if not CAPACITY_RANGE[0] <= data.capacity <= CAPACITY_RANGE[1]:
        raise CoffeeError("capacity", "capacity")
    postcode = session.get(Postcode, data.postcode.strip())
    if postcode is None:
        raise CoffeeError("unknown_postcode", "postcode")
    occupation = None
    if data.occupation and data.occupation.strip():
        occupation = vocabulary.resolve_occupation(session=session, title=data.occupation)
        if occupation.uri is None:
            # Only the ESCO concept is stored, so a title we cannot resolve would be lost.
            raise CoffeeError("unknown_occupation", "occupation")
    return postcode, occupation


def create_offer(
    *, session: Session, employer_id: int, data: OfferInput, now: datetime | None = None
) -> CoffeeMeeting:
    """Validate and store a new offer; nothing is stored when ``CoffeeError`` is raised."""
    postcode, occupation = _check_offer(session, data, now or utcnow())
    meeting = CoffeeMeeting(
        employer_id=employer_id,
        title=data.title.strip(),
        description=data.description.strip(),
        location=data.location.strip(),
        postcode=postcode.code,
        latitude=postcode.latitude,
        longitude=postcode.longitude,
        occupation_uri=occupation.uri if occupation else None,
        isco_code=occupation.isco_code if occupation else None,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        capacity=data.capacity,
    )
    session.add(meeting)
    session.commit()
    return meeting


def _status_counts(session: Session, meeting_ids: list[int]) -> dict[int, dict[str, int]]:
    if not meeting_ids:
        return {}
    rows = session.exec(
        select(CoffeeResponse.meeting_id, CoffeeResponse.employer_status, func.count())
        .where(col(CoffeeResponse.meeting_id).in_(meeting_ids), CoffeeResponse.answer == "yes")
        .group_by(col(CoffeeResponse.meeting_id), col(CoffeeResponse.employer_status))
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for meeting_id, status, n in rows:
        counts.setdefault(meeting_id, {})[status] = n
    return counts


def _summaries(session: Session, meetings: list[CoffeeMeeting]) -> list[OfferSummary]:
    counts = _status_counts(session, [m.id for m in meetings if m.id is not None])
    return [
        OfferSummary(
            meeting=m,
            pending=counts.get(m.id or 0, {}).get("pending", 0),
            accepted=counts.get(m.id or 0, {}).get("accepted", 0),
            declined=counts.get(m.id or 0, {}).get("declined", 0),
        )
        for m in meetings
    ]


def offers_for_employer(*, session: Session, employer_id: int) -> list[OfferSummary]:
    """The organisation's offers, latest start first, with counts of yes answers."""
    meetings = session.exec(
        select(CoffeeMeeting)
        .where(CoffeeMeeting.employer_id == employer_id)
        .order_by(col(CoffeeMeeting.starts_at).desc(), col(CoffeeMeeting.id).desc())
    ).all()
    return _summaries(session, list(meetings))


def get_offer(*, session: Session, employer_id: int, meeting_id: int) -> OfferSummary:
    """One of the organisation's own offers; ``OfferNotFound`` for anyone else's."""
    meeting = session.get(CoffeeMeeting, meeting_id)
    if meeting is None or meeting.employer_id != employer_id:
        raise OfferNotFound(meeting_id)
    return _summaries(session, [meeting])[0]


def cancel_offer(*, session: Session, employer_id: int, meeting_id: int) -> CoffeeMeeting:
    """Cancel an offer (a second cancel changes nothing); the people who said yes see it."""
    meeting = get_offer(session=session, employer_id=employer_id, meeting_id=meeting_id).meeting
    if meeting.cancelled_at is None:
        meeting.cancelled_at = utcnow()
        session.add(meeting)
        session.commit()
    return meeting


# --- Employers: the people who said yes --------------------------------------------------------


@dataclass
class Applicant:
    """A yes to an offer as the employer may see it: the shared fields only while consent lasts."""

    response: CoffeeResponse
    shared: bool
    name: str | None = None
    cv_summary: str | None = None
    occupations: tuple[str, ...] = ()


def cv_summary(text: str, limit: int = CV_SUMMARY_CHARS) -> str:
    """The first ``limit`` characters of a CV, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",.;:") + "…"


def _employer_name(session: Session, employer_id: int) -> str:
    employer = session.get(Employer, employer_id)
    return employer.name if employer else str(employer_id)


def _employer_may_read(
    session: Session,
    subject_id: int,
    *,
    actor_id: int,
    organisation: str,
    categories: tuple[str, ...],
    commit: bool,
) -> bool:
    """Does the person's ``employer_coffee`` consent hold? Logged either way by the guard."""
    return guard.permitted(
        session,
        subject_id,
        EMPLOYER_COFFEE,
        actor_id=actor_id,
        actor_role="employer",
        actor_organisation=organisation,
        data_categories=categories,
        via="web",
        commit=commit,
    )


def applicants(
    *,
    session: Session,
    employer_id: int,
    actor_id: int,
    meeting_id: int,
    response_id: int | None = None,
) -> list[Applicant]:
    """The people who said yes to one of the organisation's offers, oldest answer first.

    Each person's consent is checked through ``consent.guard`` on every call and every check is
    access-logged (allowed or refused); without consent only the answer itself is returned.
    ``response_id`` narrows the list to one answer (the row htmx swaps after a reply).
    """
    meeting = get_offer(session=session, employer_id=employer_id, meeting_id=meeting_id).meeting
    organisation = _employer_name(session, employer_id)
    statement = (
        select(CoffeeResponse, User, JobseekerProfile)
        .join(User, col(User.id) == CoffeeResponse.user_id)
        .join(
            JobseekerProfile, col(JobseekerProfile.user_id) == CoffeeResponse.user_id, isouter=True
        )
        .where(CoffeeResponse.meeting_id == meeting.id, CoffeeResponse.answer == "yes")
        .order_by(col(CoffeeResponse.created_at), col(CoffeeResponse.id))
    )
    if response_id is not None:
        statement = statement.where(CoffeeResponse.id == response_id)
    rows = session.exec(statement).all()
    result = []
    for response, user, profile in rows:
        allowed = _employer_may_read(
            session,
            response.user_id,
            actor_id=actor_id,
            organisation=organisation,
            categories=SHARED_CATEGORIES,
            commit=False,  # one commit for the whole page below
        )
        if not allowed:
            result.append(Applicant(response=response, shared=False))
            continue
        result.append(
            Applicant(
                response=response,
                shared=True,
                name=user.name,
                cv_summary=cv_summary(profile.cv_text if profile else ""),
                occupations=tuple(
                    o["title"]
                    for o in (profile.wished_occupations if profile else [])
                    if o.get("title")
                ),
            )
        )
    session.commit()
    return result


def respond(
    *,
    session: Session,
    employer_id: int,
    actor_id: int,
    meeting_id: int,
    response_id: int,
    decision: str,
    message: str = "",
) -> CoffeeResponse:
    """Accept (a message is required) or decline (message optional) a yes; can be changed later.

    Raises ``OfferNotFound``/``ResponseNotFound`` for offers or answers that are not the
    organisation's, ``CoffeeError`` for bad input or a cancelled offer, and
    ``ConsentNeededError`` when the person has withdrawn consent (the attempt is logged).
    """
    meeting = get_offer(session=session, employer_id=employer_id, meeting_id=meeting_id).meeting
    # Locked until the commit, so a double click or two open tabs answer (and notify) once.
    response = lock_row(session=session, model=CoffeeResponse, row_id=response_id)
    if response is None or response.meeting_id != meeting.id or response.answer != "yes":
        session.rollback()
        raise ResponseNotFound(response_id)
    message = message.strip()
    problem = None
    if decision not in DECISIONS:
        problem = CoffeeError("unknown_decision", "decision")
    elif len(message) > MESSAGE_MAX:
        problem = CoffeeError("too_long", "message")
    elif decision == "accept" and not message:
        problem = CoffeeError("message_required", "message")
    elif meeting.cancelled_at is not None:
        problem = CoffeeError("cancelled")
    if problem is not None:
        session.rollback()
        raise problem
    if response.employer_status == DECISIONS[decision] and response.employer_message == message:
        session.commit()  # releases the lock; nothing changed
        return response  # the same answer again: already stored and notified
    allowed = _employer_may_read(
        session,
        response.user_id,
        actor_id=actor_id,
        organisation=_employer_name(session, employer_id),
        categories=SIGN_UP_CATEGORIES,
        commit=False,  # keeps the lock; committed below with the answer, or alone when refused
    )
    if not allowed:
        session.commit()  # the refused attempt stays in the person's access log
        raise ConsentNeededError(response.user_id)
    response.employer_status = DECISIONS[decision]
    response.employer_message = message
    response.answered_at = utcnow()
    session.add(response)
    # The jobseeker learns about the answer in the portal (same transaction as the answer).
    session.add(
        Notification(user_id=response.user_id, kind="coffee_answer", coffee_meeting_id=meeting.id)
    )
    session.commit()
    return response


# --- Jobseekers: the deck and their answers ----------------------------------------------------


@dataclass
class CoffeeCard:
    """One open offer near the person, with the number still to answer."""

    meeting: CoffeeMeeting
    employer_name: str
    place_name: str | None
    distance_km: float | None
    seats_left: int
    remaining: int


def consent_given(*, session: Session, user_id: int) -> bool:
    """Has the person consented to sharing their profile with employers for coffee meetings?"""
    return ledger.is_permitted(session, user_id, EMPLOYER_COFFEE)


def _home(session: Session, user_id: int) -> tuple[Postcode | None, int]:
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)
    ).first()
    if profile is None:
        return None, 0
    home = session.get(Postcode, profile.home_postcode) if profile.home_postcode else None
    return home, profile.commute_km


def _taken_seats() -> Subquery:
    """Seats taken per offer: yes answers the employer has not declined."""
    return (
        select(CoffeeResponse.meeting_id, func.count().label("taken"))
        .where(CoffeeResponse.answer == "yes", CoffeeResponse.employer_status != "declined")
        .group_by(col(CoffeeResponse.meeting_id))
        .subquery()
    )


def open_offers(*, session: Session, user_id: int, now: datetime | None = None) -> list[CoffeeCard]:
    """Upcoming, not cancelled, not full offers the person has not answered, nearest first.

    With a home postcode only offers within the person's commute radius count (offers without a
    place are left out); without one, every offer is shown, soonest first.
    """
    now = now or utcnow()
    taken = _taken_seats()
    answered = select(CoffeeResponse.meeting_id).where(CoffeeResponse.user_id == user_id)
    seats_taken = func.coalesce(taken.c.taken, 0)
    rows = session.exec(
        select(CoffeeMeeting, Employer.name, seats_taken, Postcode.name)
        .join(Employer, col(Employer.id) == CoffeeMeeting.employer_id)
        .join(taken, taken.c.meeting_id == CoffeeMeeting.id, isouter=True)
        .join(Postcode, col(Postcode.code) == CoffeeMeeting.postcode, isouter=True)
        .where(
            col(CoffeeMeeting.cancelled_at).is_(None),
            CoffeeMeeting.starts_at > now,
            col(CoffeeMeeting.id).not_in(answered),
            seats_taken < CoffeeMeeting.capacity,
        )
    ).all()
    home, commute_km = _home(session, user_id)
    found: list[CoffeeCard] = []
    for meeting, employer_name, n_taken, town in rows:
        distance = None
        if home is not None:
            if meeting.latitude is None or meeting.longitude is None:
                continue
            distance = matching.distance_km(
                start=(home.latitude, home.longitude), end=(meeting.latitude, meeting.longitude)
            )
            if distance > commute_km:
                continue
        found.append(
            CoffeeCard(
                meeting=meeting,
                employer_name=employer_name,
                place_name=town,
                distance_km=distance,
                seats_left=meeting.capacity - n_taken,
                remaining=0,
            )
        )
    found.sort(
        key=lambda card: (card.distance_km or 0.0, card.meeting.starts_at, card.meeting.id or 0)
    )
    for card in found:
        card.remaining = len(found)
    return found


def next_offer(*, session: Session, user_id: int, now: datetime | None = None) -> CoffeeCard | None:
    """The nearest open offer the person has not answered, or None when there is none."""
    offers = open_offers(session=session, user_id=user_id, now=now)
    return offers[0] if offers else None


def _existing(session: Session, user_id: int, meeting_id: int) -> CoffeeResponse | None:
    return session.exec(
        select(CoffeeResponse).where(
            CoffeeResponse.meeting_id == meeting_id, CoffeeResponse.user_id == user_id
        )
    ).first()


def answer(
    *, session: Session, user_id: int, meeting_id: int, answer: str, now: datetime | None = None
) -> tuple[CoffeeResponse, bool]:
    """Store the person's yes or no once; a repeated or double-tapped answer returns the first.

    Returns (response, created). A yes needs consent (``ConsentNeededError``, nothing stored) and
    a free seat; an offer that is cancelled, past or full raises ``CoffeeError``.
    """
    if answer not in ANSWERS:
        raise CoffeeError("unknown_answer", "answer")
    existing = _existing(session, user_id, meeting_id)
    if existing is not None:
        return existing, False
    # Locks the offer until the commit: two yeses cannot both take the last seat, and a
    # concurrent double tap waits here and then finds the first answer.
    meeting = lock_row(session=session, model=CoffeeMeeting, row_id=meeting_id)
    if meeting is None:
        session.rollback()
        raise CoffeeError("unknown_offer")
    existing = _existing(session, user_id, meeting_id)
    if existing is not None:
        session.commit()  # releases the lock; nothing changed
        return existing, False
    if meeting.cancelled_at is not None or meeting.starts_at <= (now or utcnow()):
        session.rollback()
        raise CoffeeError("unavailable")
    if answer == "yes":
        if not consent_given(session=session, user_id=user_id):
            session.rollback()
            raise ConsentNeededError(user_id)
        taken = session.exec(
            select(func.count())
            .select_from(CoffeeResponse)
            .where(
                CoffeeResponse.meeting_id == meeting_id,
                CoffeeResponse.answer == "yes",
                CoffeeResponse.employer_status != "declined",
            )
        ).one()
        if taken >= meeting.capacity:
            session.rollback()
            raise CoffeeError("full")
    created = insert_once(
        session=session,
        record=CoffeeResponse(meeting_id=meeting_id, user_id=user_id, answer=answer),
        keys=("meeting_id", "user_id"),
    )
    session.commit()
    stored = _existing(session, user_id, meeting_id)
    assert stored is not None  # just stored, by this request or a concurrent one
    return stored, created


@dataclass
class MyMeeting:
    """An offer the person said yes to, with the employer's answer."""

    response: CoffeeResponse
    meeting: CoffeeMeeting
    employer_name: str
    place_name: str | None

    @property
    def cancelled(self) -> bool:
        return self.meeting.cancelled_at is not None

    @property
    def past(self) -> bool:
        return self.meeting.starts_at <= utcnow()

    @property
    def can_withdraw(self) -> bool:
        return self.response.employer_status == "pending" and not self.cancelled and not self.past


def my_meetings(*, session: Session, user_id: int) -> list[MyMeeting]:
    """The offers the person said yes to, soonest first, with status and the employer's message."""
    rows = session.exec(
        select(CoffeeResponse, CoffeeMeeting, Employer.name, Postcode.name)
        .join(CoffeeMeeting, col(CoffeeMeeting.id) == CoffeeResponse.meeting_id)
        .join(Employer, col(Employer.id) == CoffeeMeeting.employer_id)
        .join(Postcode, col(Postcode.code) == CoffeeMeeting.postcode, isouter=True)
        .where(CoffeeResponse.user_id == user_id, CoffeeResponse.answer == "yes")
        .order_by(col(CoffeeMeeting.starts_at), col(CoffeeMeeting.id))
    ).all()
    return [MyMeeting(response=r, meeting=m, employer_name=e, place_name=p) for r, m, e, p in rows]


def withdraw(*, session: Session, user_id: int, response_id: int) -> CoffeeResponse:
    """Take back a yes the employer has not answered; it becomes a no (the offer stays answered).

    ``ResponseNotFound`` for someone else's answer, ``CoffeeError`` once the employer answered.
    Taking back twice (a double click) changes nothing the second time.
    """
    # Locked so the employer's answer and the withdrawal cannot both win.
    response = lock_row(session=session, model=CoffeeResponse, row_id=response_id)
    if response is None or response.user_id != user_id:
        session.rollback()
        raise ResponseNotFound(response_id)
    if response.answer == "no":
        session.commit()  # releases the lock; already taken back
        return response
    if response.employer_status != "pending":
        session.rollback()
        raise CoffeeError("already_answered")
    response.answer = "no"
    session.add(response)
    session.commit()
    return response
