"""The only module of the portal that calls the recommender.

Every entry point checks the legal basis first (``privacy.matching_allowed``). Embeddings and
rankings are computed when data is written (a posting is stored, a profile is saved, a swipe or a
consent decision is made) in the background, or by the scheduler (``refresh_pending`` fills the
gaps); a page view only reads stored suggestions and never ranks, randomises or writes. The
encoder and the posting index are built lazily, once per process, and the index is rebuilt only
when the stored posting embeddings change.

An opt-out of, or objection to, matching stops every algorithmic use of the person's data at
once (``withdraw_results``): suggestions, the profile embedding and match notifications go, and
queued e-mails about matches are dropped.

Re-ranking one person is serialised: the new ranking is computed without locks, then written in
one transaction under a lock on the person's profile row (a row lock on PostgreSQL, the write lock
on SQLite). A ranking that started before the one already stored is discarded, so concurrent
refreshes end in one consistent ranking, the newest.
"""

import hashlib
import threading
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from app import background
from app.models import (
    EmailOutbox,
    JobPosting,
    JobseekerProfile,
    Notification,
    Postcode,
    PostingEmbedding,
    ProfileEmbedding,
    Role,
    Suggestion,
    Swipe,
    User,
    utcnow,
)
from app.services import concurrency, privacy, trial
from app.services.postings import active_postings_filter
from consent.models import ConsentAction, ConsentEvent
from recommender import freetext as rt_freetext
from recommender import types as rt
from recommender.alternatives import MIN_COVERAGE
from recommender.encoders import Encoder, load_encoder
from recommender.freetext import DEFAULT_MIN_CONFIDENCE as MIN_READ_CONFIDENCE
from recommender.geo import centroid_corrections, haversine_km
from recommender.ranking import Recommender
from recommender.text import posting_text, profile_text

MATCHES_KEPT = 60
ALTERNATIVES_KEPT = 5
PENDING_BATCH = 50  # people ranked per scheduler run; the rest wait for the next run

_lock = threading.RLock()
_encoder: Encoder | None = None
_encoder_key: tuple[str, str, int] | None = None
_index: tuple[tuple, Recommender] | None = None


# --- conversions -------------------------------------------------------------------------------


def to_rec_posting(posting: JobPosting) -> rt.Posting:
    """A stored posting as the recommender's plain dataclass."""
    return rt.Posting(
        id=str(posting.id),
        title=posting.title,
        description=posting.description,
        skills=list(posting.skills or []),
        occupation_uri=posting.occupation_uri,
        isco_code=posting.isco_code,
        postcode=posting.postcode,
        lat=posting.latitude,
        lon=posting.longitude,
        remote=posting.remote,
        employment_type=posting.employment_type,
        hours=str(posting.hours_per_week) if posting.hours_per_week else None,
        industry=posting.industry,
        source=posting.source,
        source_id=posting.source_id,
        date_posted=posting.date_posted.isoformat() if posting.date_posted else None,
        valid_through=posting.valid_through.isoformat() if posting.valid_through else None,
        employer=posting.hiring_organization,
    )


def to_rec_profile(
    *,
    profile: JobseekerProfile,
    home: Postcode | None,
    swipes: list[Swipe],
    embedding: np.ndarray | None,
) -> rt.Profile:
    """A stored profile as the recommender's plain dataclass."""
    return rt.Profile(
        id=str(profile.user_id),
        summary=profile.cv_text,
        work=[
            " ".join(x for x in (e.get("title"), e.get("employer"), e.get("description")) if x)
            for e in profile.experience
        ],
        work_titles=[e["title"] for e in profile.experience if e.get("title")],
        education=[
            " ".join(x for x in (e.get("title"), e.get("institution")) if x)
            for e in profile.education
        ],
        # The label carries the person's words; the ESCO URI, when known, the concept itself
        # (it counts whatever the language of the label).
        skills=[s["label"] for s in profile.skills]
        + [s["esco_uri"] for s in profile.skills if s.get("esco_uri")],
        wished_titles=[o["title"] for o in profile.wished_occupations],
        wished_occupation_uris=[
            o["esco_uri"] for o in profile.wished_occupations if o.get("esco_uri")
        ],
        wished_isco_codes=[
            o["isco_code"] for o in profile.wished_occupations if o.get("isco_code")
        ],
        industries=list(profile.wished_industries),
        hours=str(profile.hours_per_week) if profile.hours_per_week else None,
        postcode=profile.home_postcode,
        lat=home.latitude if home else None,
        lon=home.longitude if home else None,
        commute_km=float(profile.commute_km) if profile.commute_km else None,
        swipes=[rt.Swipe(str(s.posting_id), s.action) for s in swipes],  # type: ignore[arg-type]
        embedding=embedding,
        rejected_concepts=list(profile.rejected_concepts),
    )


def content_hash(text: str) -> str:
    """SHA-256 of an embedded text: unchanged text, no new model call."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


# --- encoder and index -------------------------------------------------------------------------


def get_encoder() -> Encoder:
    """The configured encoder, loaded once per process (lazily: the model loads on first use)."""
    global _encoder, _encoder_key
    config = current_app.config
    key = (config["ENCODER_BACKEND"], config["MODEL_PATH"], int(config["ENCODER_MAX_TOKENS"]))
    with _lock:
        if _encoder is None or _encoder_key != key:
            _encoder, _encoder_key = load_encoder(*key), key
        return _encoder


def repaired_centroids() -> dict[str, tuple[float, float]]:
    """The ranker's hand-checked centroids of postcodes the postcode package misplaces, so the
    portal's stored postcodes give the same distances as the ranker."""
    return centroid_corrections()


def distance_km(*, start: tuple[float, float], end: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points.

    The recommender's geometry, for services that need a distance but no ranking (coffee
    offers within a person's commute radius), so they need not import the recommender.
    """
    return haversine_km(*start, *end)


def embed_postings(*, session: Session, encoder: Encoder | None = None, batch: int = 64) -> int:
    """Embed postings whose text is new or changed; returns how many needed the model."""
    encoder = encoder or get_encoder()
    stored = {
        pid: (model, digest)
        for pid, model, digest in session.exec(
            select(
                PostingEmbedding.posting_id, PostingEmbedding.model, PostingEmbedding.content_hash
            )
        ).all()
    }
    postings = session.exec(select(JobPosting).where(active_postings_filter())).all()
    todo = []
    for posting in postings:
        assert posting.id is not None  # a stored row
        text = posting_text(to_rec_posting(posting))
        digest = content_hash(text)
        if stored.get(posting.id) != (encoder.name, digest):
            todo.append((posting.id, text, digest))
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = encoder.encode_passages([text for _, text, _ in chunk])
        for (posting_id, _, digest), vector in zip(chunk, vectors, strict=True):
            session.merge(
                PostingEmbedding(
                    posting_id=posting_id,
                    model=encoder.name,
                    content_hash=digest,
                    vector=np.asarray(vector, dtype=np.float32).tobytes(),
                    computed_at=utcnow(),
                )
            )
        session.commit()
    return len(todo)


def get_recommender(*, session: Session) -> Recommender:
    """The posting index of this process, rebuilt only when stored embeddings or the date change."""
    global _index
    encoder = get_encoder()
    count, latest = session.exec(
        select(func.count(), func.max(PostingEmbedding.computed_at)).where(
            PostingEmbedding.model == encoder.name
        )
    ).one()
    # Edits that keep the text (place, closing date) change updated_at but not the embedding.
    edited = session.exec(select(func.max(JobPosting.updated_at))).one()
    key = (encoder.name, count, latest, edited, date.today())
    with _lock:
        if _index is not None and _index[0] == key:
            return _index[1]
        rows = session.exec(
            select(JobPosting, PostingEmbedding.vector)
            .join(PostingEmbedding, col(PostingEmbedding.posting_id) == JobPosting.id)
            .where(PostingEmbedding.model == encoder.name, active_postings_filter())
            .order_by(col(JobPosting.id))
        ).all()
        postings = [to_rec_posting(p) for p, _ in rows]
        matrix = (
            np.vstack([_vector(v) for _, v in rows])
            if rows
            else np.zeros((0, encoder.dim), np.float32)
        )
        recommender = Recommender(encoder)
        recommender.add(postings, matrix)
        _index = (key, recommender)
        return recommender


def reset_caches() -> None:
    """Forget the encoder and index (tests, or after a model change)."""
    global _encoder, _encoder_key, _index
    with _lock:
        _encoder, _encoder_key, _index = None, None, None


# --- profiles and suggestions ------------------------------------------------------------------


def _profile_parts(
    session: Session, user_id: int
) -> tuple[JobseekerProfile | None, Postcode | None]:
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)
    ).first()
    if profile is None:
        return None, None
    home = session.get(Postcode, profile.home_postcode) if profile.home_postcode else None
    return profile, home


def _upsert(session: Session, model: type, values: dict[str, Any], key: str) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE: two writers of the same row never collide."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = concurrency.dialect_insert(session=session, table=table).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[key],
            set_={name: statement.excluded[name] for name in values if name != key},
        )
    )


def embed_profile(*, session: Session, user_id: int, encoder: Encoder | None = None) -> bool:
    """(Re)compute the profile embedding if its text changed; True if the model was called.

    Without a legal basis the stored embedding is deleted instead, never recomputed.
    """
    if not privacy.matching_allowed(session=session, user_id=user_id):
        session.execute(delete(ProfileEmbedding).where(col(ProfileEmbedding.user_id) == user_id))
        session.commit()
        return False
    encoder = encoder or get_encoder()
    profile, home = _profile_parts(session, user_id)
    if profile is None:
        return False
    text = profile_text(to_rec_profile(profile=profile, home=home, swipes=[], embedding=None))
    digest = content_hash(text)
    stored = session.get(ProfileEmbedding, user_id)
    if stored and stored.model == encoder.name and stored.content_hash == digest:
        return False
    vector = encoder.encode_queries([text])[0]
    # An upsert: a concurrent refresh of the same person may have stored it a moment ago.
    _upsert(
        session,
        ProfileEmbedding,
        {
            "user_id": user_id,
            "model": encoder.name,
            "content_hash": digest,
            "vector": np.asarray(vector, dtype=np.float32).tobytes(),
            "computed_at": utcnow(),
        },
        key="user_id",
    )
    session.commit()
    if stored is not None:  # the upsert bypassed the identity map: reload on next use
        session.expire(stored)
    return True


def _ranking_input(session: Session, user_id: int) -> rt.Profile | None:
    """The person as the recommender sees them: stored embedding, swipes only with consent
    (a "no" always hides its posting)."""
    profile, home = _profile_parts(session, user_id)
    if profile is None:
        return None
    embed_profile(session=session, user_id=user_id)
    stored = session.get(ProfileEmbedding, user_id)
    swipes = list(session.exec(select(Swipe).where(Swipe.user_id == user_id)).all())
    if not privacy.personalisation_allowed(session=session, user_id=user_id):
        swipes = [s for s in swipes if s.action == "no"]
    return to_rec_profile(
        profile=profile,
        home=home,
        swipes=swipes,
        embedding=_vector(stored.vector) if stored else None,
    )


def _method_for(session: Session, user_id: int, *, assign: bool) -> str:
    """The trial's control arm gets today's automatch; everyone else, trial participant or not,
    the portal's standard service, the hybrid. ``assign`` randomises a new participant (only
    where data is written)."""
    if assign:
        arm = trial.ensure_assigned(session=session, user_id=user_id)
    else:
        arm = trial.current_arm(session=session, user_id=user_id)
    return "automatch" if arm is not None and arm.arm == "control" else "hybrid"


def _suggestion_rows(recommender: Recommender, rec_profile: rt.Profile, method: str) -> list[dict]:
    """The ranking as plain rows for the Suggestion table: matches, then alternative jobs."""
    user_id = int(rec_profile.id)
    matches = recommender.rank(rec_profile, k=MATCHES_KEPT, method=method)
    alternatives = (
        recommender.alternatives(rec_profile, k=ALTERNATIVES_KEPT) if method == "hybrid" else []
    )
    rows = [
        {
            "user_id": user_id,
            "posting_id": int(r.posting_id),
            "kind": "match",
            "rank": r.rank,
            "score": r.score,
            "explanation": asdict(r.explanation),
            "alternative_label": None,
            "algorithm_version": r.explanation.algorithm_version,
        }
        for r in matches
    ]
    # An alternative job may also be among the matches: the alternatives tab still shows it,
    # with what carries over from the person's field (the swipe is per posting either way).
    seen: set[int] = set()
    rank = 0
    for alternative in alternatives:
        for r in alternative.postings:
            if int(r.posting_id) in seen:
                continue
            seen.add(int(r.posting_id))
            rank += 1
            explanation = asdict(r.explanation)
            explanation["alternative"] = {
                "occupation_uri": alternative.occupation_uri,
                "label": alternative.label_da or alternative.label,
                "isco_group_label": alternative.isco_group_label,
                "coverage": alternative.coverage,
                "transferable_skills": [asdict(s) for s in alternative.transferable_skills],
                "skills_to_learn": [asdict(s) for s in alternative.skills_to_learn],
            }
            rows.append(
                {
                    "user_id": user_id,
                    "posting_id": int(r.posting_id),
                    "kind": "alternative",
                    "rank": rank,
                    "score": r.score,
                    "explanation": explanation,
                    "alternative_label": (alternative.label_da or alternative.label)[:255],
                    "algorithm_version": r.explanation.algorithm_version,
                }
            )
    return rows


def _lock_profile(session: Session, user_id: int) -> JobseekerProfile | None:
    """Lock the person's profile row until commit: the one lock every writer of their ranking
    and of its withdrawal takes, so those writes never interleave."""
    profile_id = session.exec(
        select(JobseekerProfile.id).where(JobseekerProfile.user_id == user_id)
    ).first()
    if profile_id is None:
        return None
    return concurrency.lock_row(session=session, model=JobseekerProfile, row_id=profile_id)


def _clear_results(session: Session, user_id: int) -> None:
    """Delete every stored result of matching for the person (no commit)."""
    session.execute(delete(Suggestion).where(col(Suggestion.user_id) == user_id))
    session.execute(delete(ProfileEmbedding).where(col(ProfileEmbedding.user_id) == user_id))
    # Unread "new job for you" notifications are match results too; read ones are history.
    session.execute(
        delete(Notification).where(
            col(Notification.user_id) == user_id,
            col(Notification.kind) == "new_match",
            col(Notification.read_at).is_(None),
        )
    )
    # Every digest in the outbox is about matches: none may leave after the opt-out.
    session.execute(
        update(EmailOutbox)
        .where(col(EmailOutbox.user_id) == user_id, col(EmailOutbox.status) == "queued")
        .values(status="dropped")
    )


def withdraw_results(*, session: Session, user_id: int) -> None:
    """Stop every algorithmic use of the person's data at once (after an opt-out or objection).

    Deletes the suggestions, the profile embedding and unread match notifications, and drops
    queued e-mails about matches, in one transaction under the person's ranking lock (so a
    ranking running at the same moment cannot write its results back afterwards).
    """
    profile = _lock_profile(session, user_id)
    _clear_results(session, user_id)
    if profile is not None:
        profile.suggestions_refreshed_at = utcnow()
        session.add(profile)
    session.commit()


def refresh_suggestions(*, session: Session, user_id: int) -> int:
    """Rank postings for the person and replace their cached suggestions; returns how many this
    call stored (0 also when a newer ranking was already stored).

    Nothing runs when the person opted out of algorithmic processing or objected: every stored
    result is withdrawn instead. Swipes personalise only with the person's consent, but a "no"
    always hides that posting. Safe to run several times at once for the same person.
    """
    started = utcnow()
    if not privacy.matching_allowed(session=session, user_id=user_id):
        withdraw_results(session=session, user_id=user_id)
        return 0
    rec_profile = _ranking_input(session, user_id)
    if rec_profile is None:
        return 0
    method = _method_for(session, user_id, assign=True)
    rows = _suggestion_rows(get_recommender(session=session), rec_profile, method)
    profile = _lock_profile(session, user_id)
    if profile is None:  # erased while we ranked
        session.rollback()
        return 0
    refreshed = profile.suggestions_refreshed_at
    if refreshed is not None and refreshed >= started:
        # A ranking that started after this one (newer data) is already stored: keep it.
        session.rollback()
        return 0
    if not privacy.matching_allowed(session=session, user_id=user_id):
        # Opted out while we ranked: the lock makes this check final.
        _clear_results(session, user_id)
        rows = []
    else:
        session.execute(delete(Suggestion).where(col(Suggestion.user_id) == user_id))
        session.add_all([Suggestion(**row) for row in rows])
    profile.suggestions_refreshed_at = started
    session.add(profile)
    session.commit()
    return len(rows)


def _stale_people(session: Session, limit: int) -> list[int]:
    """Jobseekers never ranked, changed since their last ranking, or opted out since then."""
    stale = or_(
        col(JobseekerProfile.suggestions_refreshed_at).is_(None),
        col(JobseekerProfile.suggestions_refreshed_at) < col(JobseekerProfile.updated_at),
    )
    withdrawn_since = (
        select(ConsentEvent.subject_id)
        .where(
            ConsentEvent.subject_id == JobseekerProfile.user_id,
            ConsentEvent.purpose_id == privacy.CORE_MATCHING,
            col(ConsentEvent.action).in_([ConsentAction.OPT_OUT.value, ConsentAction.OBJECT.value]),
            col(ConsentEvent.at) > col(JobseekerProfile.suggestions_refreshed_at),
        )
        .exists()
    )
    return list(
        session.exec(
            select(JobseekerProfile.user_id)
            .join(User, col(User.id) == JobseekerProfile.user_id)
            .where(User.role == Role.JOBSEEKER, col(User.is_active), or_(stale, withdrawn_since))
            .order_by(col(JobseekerProfile.updated_at))
            .limit(limit)
        ).all()
    )


def refresh_pending(*, session: Session, limit: int = PENDING_BATCH) -> int:
    """Scheduler job: rank everyone whose ranking is missing or out of date, and withdraw the
    results of anyone who opted out since; returns how many people were handled.

    This is how a person gets their first suggestions when nothing they did was a write (a new
    account, demo data, a profile created by an import): page views never rank.
    """
    handled = 0
    for user_id in _stale_people(session, limit):
        if privacy.matching_allowed(session=session, user_id=user_id, actor="scheduler"):
            refresh_suggestions(session=session, user_id=user_id)
        else:
            withdraw_results(session=session, user_id=user_id)
        handled += 1
    return handled


def refresh_everyone_pending(*, session: Session) -> int:
    """``refresh_pending`` in batches until nobody is left (``flask matching index`` at start-up).

    Bounded by the number of profiles, so a person who stays stale cannot keep it running.
    """
    people = session.exec(select(func.count()).select_from(JobseekerProfile)).one()
    handled = 0
    for _ in range(people // PENDING_BATCH + 1):
        batch = refresh_pending(session=session)
        handled += batch
        if batch < PENDING_BATCH:
            break
    return handled


def refresh_if_pending(*, session: Session, user_id: int) -> int:
    """Rank the person now if their ranking is missing or out of date; for a write that should
    bring the first suggestions sooner than the scheduler (e.g. submitted after a login)."""
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)
    ).first()
    if profile is None:
        return 0
    refreshed = profile.suggestions_refreshed_at
    if refreshed is not None and refreshed >= profile.updated_at:
        return 0
    return refresh_suggestions(session=session, user_id=user_id)


def change_decision(
    *, session: Session, user_id: int, purpose_id: str, action: str, actor_role: str
) -> bool:
    """Record the person's consent decision and apply it to matching; True when the decision
    changed something and matching is still allowed (then ``request_refresh`` decides whether the
    person is ranked again).

    An opt-out of, or objection to, matching withdraws every result at once, in this request.
    The same decision twice changes nothing. Raises ``privacy.UnknownPurposeError`` or
    ``privacy.InvalidActionError`` for bad input.
    """
    changed = privacy.change_decision(
        session=session,
        user_id=user_id,
        purpose_id=purpose_id,
        action=action,
        actor_role=actor_role,
    )
    if not privacy.matching_allowed(session=session, user_id=user_id):
        withdraw_results(session=session, user_id=user_id)  # idempotent: repeat it anyway
        return False
    return bool(changed)


# --- when to rank again --------------------------------------------------------------------------


class Reason(StrEnum):
    """A write after which the person's suggestions may be out of date."""

    PROFILE = "profile"  # the profile was saved
    ANSWER = "answer"  # a card was answered
    UNDO = "undo"  # an answer was taken back
    CONSENT = "consent"  # a consent decision (see ``change_decision``)


# Consent purposes whose decisions change the ranking: matching itself, whether swipes may tailor
# it, and research (it decides trial participation, hence automatch or hybrid).
RERANKING_PURPOSES = (privacy.CORE_MATCHING, privacy.SWIPE_PERSONALISATION, privacy.RESEARCH)
# A "save" is a bookmark: it changes no ranking, a yes or a no does.
RERANKING_ANSWERS = ("yes", "no")


def request_refresh(
    *,
    user_id: int,
    reason: Reason,
    changed: bool = True,
    answer: str | None = None,
    purpose_id: str | None = None,
) -> bool:
    """The one place that decides whether a write calls for a new ranking of the person; if it
    does, the person is ranked in the background (``refresh_suggestions`` with its own database
    session, see ``app.background``) and True is returned.

    Called by the views after the write has been committed. ``changed`` is False when the write
    stored nothing new (the same answer or decision twice): nothing to rank. A saved profile
    always calls for a ranking; an answer, or taking one back, when it was a yes or a no
    (``answer``); a consent decision when its purpose feeds the ranking (``purpose_id``).
    """
    if not changed:
        return False
    if reason in (Reason.ANSWER, Reason.UNDO) and answer not in RERANKING_ANSWERS:
        return False
    if reason is Reason.CONSENT and purpose_id not in RERANKING_PURPOSES:
        return False
    background.submit(refresh_suggestions, user_id=user_id)
    return True


def request_embedding() -> None:
    """A posting was stored or changed: embed it in the background, so it can enter jobseekers'
    suggestions without a page view waiting on the model (``embed_postings`` notices the
    changed text)."""
    background.submit(embed_postings)


def top_posting_ids(*, session: Session, user_id: int, k: int = 20) -> list[int]:
    """Posting ids of the person's current top ``k`` (no explanations; used by notifications).

    Never randomises: trial participants get their arm's method, everyone else the hybrid.
    """
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return []
    rec_profile = _ranking_input(session, user_id)
    if rec_profile is None:
        return []
    ranked = get_recommender(session=session).rank(
        rec_profile, k=k, method=_method_for(session, user_id, assign=False), explain=False
    )
    return [int(r.posting_id) for r in ranked]


def inferred_concepts(*, session: Session, user_id: int) -> list[rt.InferredConcept] | None:
    """The ESCO occupations and skills the recommender reads from the person's own words (job
    titles, skills as written, CV text), rejected ones included and marked; None when the person
    opted out of algorithmic processing or objected: then nothing is read."""
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return None
    profile, home = _profile_parts(session, user_id)
    if profile is None:
        return []
    rec_profile = to_rec_profile(profile=profile, home=home, swipes=[], embedding=None)
    return get_recommender(session=session).inferred(rec_profile)


@dataclass(frozen=True)
class AlternativesFigures:
    """How many people the "Alternative jobs" tab has something for."""

    people: int  # jobseekers whose data may be matched
    with_three: int  # ... who get at least 3 alternative occupations with postings
    empty: int  # ... who get none
    alternatives: int  # alternatives with postings, summed
    longer_steps: int  # of those, with less than the candidates' coverage


def alternatives_figures(*, session: Session) -> AlternativesFigures:
    """Alternatives for every jobseeker whose data may be matched, as the portal computes them
    (`flask matching alternatives-report`); writes only missing profile embeddings."""
    recommender = get_recommender(session=session)
    people = with_three = empty = total = longer = 0
    for user_id in session.exec(select(JobseekerProfile.user_id)).all():
        if not privacy.matching_allowed(session=session, user_id=user_id):
            continue
        rec_profile = _ranking_input(session, user_id)
        if rec_profile is None:
            continue
        found = [
            a for a in recommender.alternatives(rec_profile, k=ALTERNATIVES_KEPT) if a.postings
        ]
        people += 1
        with_three += len(found) >= 3
        empty += not found
        total += len(found)
        longer += sum(a.coverage < MIN_COVERAGE for a in found)
    return AlternativesFigures(people, with_three, empty, total, longer)


@dataclass(frozen=True)
class CvReading:
    """What the free-text reader found in a CV, as rows of the profile form: the items it is
    sure of, to pre-fill for the person to check, and those it is not, to show them apart as
    (field, text) for the person to add themselves if they are right."""

    experience: list[dict[str, str]]
    education: list[dict[str, str]]
    skills: list[str]
    wished_occupations: list[str]
    home_postcode: str | None
    commute_km: int | None
    unsure: list[tuple[str, str]]


def read_cv(*, session: Session, user_id: int, text: str) -> CvReading | None:
    """Read a CV's text into profile form rows (nothing is stored); None when the person opted
    out of algorithmic processing or objected: then only the text itself is used."""
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return None
    recommender = get_recommender(session=session)
    parsed = recommender.read_cv(text)
    sure = MIN_READ_CONFIDENCE

    def period(p: rt_freetext.Period | None) -> dict[str, str]:
        if p is None:
            return {"start": "", "end": ""}
        return {"start": p.start or "", "end": "" if p.current else (p.end or "")}

    skills = [recommender.vocab.label(s.index) for s in parsed.skills if s.confidence >= sure]
    skills += [c.value.label for c in parsed.certificates if c.confidence >= sure]
    skills += [lang.value.name.capitalize() for lang in parsed.languages if lang.confidence >= sure]
    unsure = [(name, _in_own_words(text, item)) for name, item in parsed.to_confirm(sure)]
    return CvReading(
        experience=[
            {"title": j.value.title, "employer": j.value.employer or "", **period(j.value.period)}
            for j in parsed.jobs
            if j.confidence >= sure
        ],
        education=[
            {
                "title": e.value.title,
                "institution": e.value.institution or "",
                "year": e.value.year or "",
            }
            for e in parsed.education
            if e.confidence >= sure
        ],
        skills=list(dict.fromkeys(skills)),
        wished_occupations=[w.value for w in parsed.wishes if w.confidence >= sure],
        home_postcode=parsed.place.value.postcode
        if parsed.place and parsed.place.confidence >= sure
        else None,
        commute_km=round(parsed.commute_km.value)
        if parsed.commute_km and parsed.commute_km.confidence >= sure
        else None,
        unsure=unsure,
    )


def _in_own_words(text: str, item: rt_freetext.Found[Any] | rt.ConceptMatch) -> str:
    """A reading the reader is unsure of, as the words of the CV it was read from."""
    if item.span is None:
        return item.label if isinstance(item, rt.ConceptMatch) else ""
    start, end = item.span
    return " ".join(text[start:end].split())


def warm_up_in_background(app: Flask) -> None:
    """Load the encoder and build the posting index in a thread (called after a worker forks)."""

    def run() -> None:
        from app.db import get_engine

        with app.app_context(), Session(get_engine()) as session:
            try:
                get_recommender(session=session)
            except Exception:  # noqa: BLE001 - a cold start is only slower, never broken
                app.logger.exception("warm-up of the posting index failed")

    threading.Thread(target=run, name="jobunivers-warm-up", daemon=True).start()
