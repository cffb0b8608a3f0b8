"""The only module of the portal that calls the recommender.

Every entry point checks the legal basis first (``privacy.matching_allowed``). Embeddings are
computed when data is written (a posting is stored, a profile is saved) or by the scheduler; a
page view only reads stored vectors and cached suggestions. The encoder and the posting index are
built lazily, once per process, and the index is rebuilt only when the stored posting embeddings
change.
"""

import hashlib
import threading
from dataclasses import asdict
from datetime import date

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from app.models import (
    JobPosting,
    JobseekerProfile,
    Postcode,
    PostingEmbedding,
    ProfileEmbedding,
    Suggestion,
    Swipe,
    utcnow,
)
from app.services import privacy, trial
from recommender import types as rt
from recommender.encoders import Encoder, load_encoder
from recommender.ranking import Recommender
from recommender.text import posting_text, profile_text

MATCHES_KEPT = 60
ALTERNATIVES_KEPT = 5

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
        skills=[s["label"] for s in profile.skills],
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


def active_postings_filter(today: date | None = None):
    """Postings still open for applications."""
    today = today or date.today()
    return or_(col(JobPosting.valid_through).is_(None), col(JobPosting.valid_through) >= today)


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
            .join(PostingEmbedding, PostingEmbedding.posting_id == JobPosting.id)
            .where(PostingEmbedding.model == encoder.name, active_postings_filter())
            .order_by(JobPosting.id)
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


def _profile_parts(session: Session, user_id: int):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)
    ).first()
    if profile is None:
        return None, None
    home = session.get(Postcode, profile.home_postcode) if profile.home_postcode else None
    return profile, home


def embed_profile(*, session: Session, user_id: int, encoder: Encoder | None = None) -> bool:
    """(Re)compute the profile embedding if its text changed; True if the model was called."""
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
    session.merge(
        ProfileEmbedding(
            user_id=user_id,
            model=encoder.name,
            content_hash=digest,
            vector=np.asarray(vector, dtype=np.float32).tobytes(),
            computed_at=utcnow(),
        )
    )
    session.commit()
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


def _method_for(session: Session, user_id: int) -> str:
    """The trial's control arm gets today's automatch; everyone else the hybrid."""
    arm = trial.ensure_assigned(session=session, user_id=user_id)
    return "automatch" if arm is not None and arm.arm == "control" else "hybrid"


def refresh_suggestions(*, session: Session, user_id: int) -> int:
    """Rank postings for the person and replace their cached suggestions; returns how many.

    Nothing runs when the person opted out of algorithmic processing or objected: their cached
    suggestions are removed instead. Swipes personalise only with the person's consent, but a
    "no" always hides that posting.
    """
    if not privacy.matching_allowed(session=session, user_id=user_id):
        session.execute(delete(Suggestion).where(col(Suggestion.user_id) == user_id))
        session.commit()
        return 0
    rec_profile = _ranking_input(session, user_id)
    if rec_profile is None:
        return 0
    recommender = get_recommender(session=session)
    method = _method_for(session, user_id)
    matches = recommender.rank(rec_profile, k=MATCHES_KEPT, method=method)
    alternatives = (
        recommender.alternatives(rec_profile, k=ALTERNATIVES_KEPT) if method == "hybrid" else []
    )
    rows = [
        Suggestion(
            user_id=user_id,
            posting_id=int(r.posting_id),
            kind="match",
            rank=r.rank,
            score=r.score,
            explanation=asdict(r.explanation),
            algorithm_version=r.explanation.algorithm_version,
        )
        for r in matches
    ]
    seen = {r.posting_id for r in rows}
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
                Suggestion(
                    user_id=user_id,
                    posting_id=int(r.posting_id),
                    kind="alternative",
                    rank=rank,
                    score=r.score,
                    explanation=explanation,
                    alternative_label=(alternative.label_da or alternative.label)[:255],
                    algorithm_version=r.explanation.algorithm_version,
                )
            )
    session.execute(delete(Suggestion).where(col(Suggestion.user_id) == user_id))
    session.add_all(rows)
    session.commit()
    return len(rows)


def top_posting_ids(*, session: Session, user_id: int, k: int = 20) -> list[int]:
    """Posting ids of the person's current top ``k`` (no explanations; used by notifications)."""
    rec_profile = _ranking_input(session, user_id)
    if rec_profile is None:
        return []
    ranked = get_recommender(session=session).rank(
        rec_profile, k=k, method=_method_for(session, user_id), explain=False
    )
    return [int(r.posting_id) for r in ranked]


def warm_up_in_background(app) -> None:
    """Load the encoder and build the posting index in a thread (called after a worker forks)."""

    def run() -> None:
        from app.db import get_engine

        with app.app_context(), Session(get_engine()) as session:
            try:
                get_recommender(session=session)
            except Exception:  # noqa: BLE001 - a cold start is only slower, never broken
                app.logger.exception("warm-up of the posting index failed")

    threading.Thread(target=run, name="jobunivers-warm-up", daemon=True).start()
