"""Plain data types that go in and out of the recommender.

Everything here is a dataclass without behaviour beyond small conveniences, so the portal (or
any other caller) can build inputs from its own storage and serialise outputs with
`dataclasses.asdict`. Nothing here knows about Flask, SQL or the embedding model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

#: Bumped whenever scoring changes in a way a person could notice; shown in every explanation.
ALGORITHM_VERSION = "hybrid-1.1"  # 1.1: free-text CVs, label index, language-aware fusion

SwipeAction = Literal["yes", "no", "save"]
Method = Literal["hybrid", "semantic", "lexical", "automatch"]


class Encoder(Protocol):
    """What the recommender needs from a text encoder (see `recommender.encoders`).

    Both methods return float32 arrays of shape (n, dim) whose rows have unit length; the
    encoder adds the `query: ` / `passage: ` prefixes itself.
    """

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class Posting:
    """A job posting, shaped after schema.org JobPosting.

    `occupation_uri` is an ESCO occupation URI and `isco_code` a 4-digit ISCO-08 code; when both
    are missing the recommender infers an occupation from the title. `hours` is "fuldtid",
    "deltid" or a number of hours per week as text; `employment_type` is schema.org's value
    (FULL_TIME, PART_TIME, TEMPORARY, ...).
    """

    id: str
    title: str
    description: str = ""
    skills: list[str] = field(default_factory=list)
    occupation_uri: str | None = None
    isco_code: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    remote: bool = False
    employment_type: str | None = None
    hours: str | None = None
    industry: str | None = None
    source: str | None = None
    source_id: str | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    employer: str | None = None
    requires_qualifications: bool | None = None


@dataclass
class Swipe:
    """One reaction of the person to a posting."""

    posting_id: str
    action: SwipeAction


@dataclass
class Profile:
    """A jobseeker as the recommender sees them.

    `summary` is free CV text including personal competences; `work` and `education` are short
    texts (one per entry). `embedding` may carry a precomputed query embedding (the portal
    computes it when the profile is saved), otherwise the recommender encodes the text itself.
    `commute_km` switches the hard distance filter on; without it distance only decays softly.
    `interests` are free-text interests (JSON Resume's, often hobbies): one that names an
    occupation counts as a wish. Wishes stated in the summary ("søger job som kok") count too.
    `rejected_concepts` are ESCO URIs the person said were read wrongly from their words (see
    `Recommender.inferred`): the ranker and the alternatives never use them.
    """

    id: str
    summary: str = ""
    work: list[str] = field(default_factory=list)
    education: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    wished_titles: list[str] = field(default_factory=list)
    wished_occupation_uris: list[str] = field(default_factory=list)
    wished_isco_codes: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    hours: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    commute_km: float | None = None
    swipes: list[Swipe] = field(default_factory=list)
    work_titles: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    embedding: npt.NDArray[np.float32] | None = None
    rejected_concepts: list[str] = field(default_factory=list)

    def swipe_ids(self, *actions: str) -> list[str]:
        """Posting ids the person reacted to with any of `actions`, last reaction winning."""
        last: dict[str, str] = {}
        for s in self.swipes:
            last[s.posting_id] = s.action
        return [pid for pid, act in last.items() if act in actions]


@dataclass
class SkillRef:
    """An ESCO skill as shown to a person."""

    uri: str
    label: str


@dataclass
class ComponentScore:
    """One ranking component's contribution to a final score.

    `raw` is the component's own measure (a cosine, a BM25 sum, a coverage share, km...),
    `value` the per-query normalised value in [0, 1] that enters the weighted sum, and
    `contribution` = weight × value / sum of active weights.
    """

    name: str
    raw: float
    value: float
    weight: float
    contribution: float
    active: bool = True
    note: str = ""


@dataclass
class Explanation:
    """Why a posting was suggested; JSON-serialisable with `dataclasses.asdict`."""

    algorithm_version: str
    method: str
    final_score: float
    components: list[ComponentScore] = field(default_factory=list)
    matched_skills: list[SkillRef] = field(default_factory=list)
    missing_skills: list[SkillRef] = field(default_factory=list)
    distance_km: float | None = None
    commute_km: float | None = None
    remote: bool = False
    fields_used: list[str] = field(default_factory=list)
    interests_matched: list[str] = field(default_factory=list)
    swipe_influence: float = 0.0
    swipes_used: dict[str, int] = field(default_factory=dict)
    merged_posting_ids: list[str] = field(default_factory=list)


@dataclass
class Recommendation:
    """A ranked posting with its explanation."""

    posting_id: str
    rank: int
    score: float
    explanation: Explanation
    title: str = ""
    employer: str | None = None


@dataclass
class Alternative:
    """An occupation in another field that the person's skills largely carry over to."""

    occupation_uri: str
    label: str
    isco_code: str
    isco_group: str
    isco_group_label: str
    coverage: float
    score: float
    transferable_skills: list[SkillRef] = field(default_factory=list)
    skills_to_learn: list[SkillRef] = field(default_factory=list)
    postings: list[Recommendation] = field(default_factory=list)
    label_da: str | None = None


ConceptKind = Literal["occupation", "skill"]


@dataclass(frozen=True)
class InferredConcept:
    """An ESCO occupation or skill the recommender read from the person's own words.

    `source` is the words it was read from (a job title, a skill as written) or "" for the CV
    text as a whole; `rejected` says the person has said it is wrong (`Profile.rejected_concepts`).
    """

    kind: ConceptKind
    uri: str
    label: str
    label_da: str | None
    source: str
    rejected: bool = False


@dataclass(frozen=True)
class ConceptMatch:
    """An ESCO occupation or skill read from a piece of text, with how sure the reader is.

    `index` is the ESCO occupation or skill index (`EscoData` order; skills named only in the
    Danish catalogue have indices after ESCO's), `confidence` a calibrated probability in [0, 1]
    that the concept is meant, `source` how it was found ("vocabulary" for a phrase of the skill
    vocabulary: a Danish catalogue form or an ESCO label in text of the label's language;
    "semantic" for the cross-lingual nearest-neighbour index) and `span` the (start, end)
    characters of the text it
    came from, when known.
    """

    kind: ConceptKind
    index: int
    uri: str
    label: str
    confidence: float
    source: str
    matched: str = ""
    span: tuple[int, int] | None = None


class ConceptReader(Protocol):
    """Reads ESCO concepts from short texts across languages (`recommender.labels.LabelIndex`).

    Each method takes a batch of texts and returns, per text, up to `k` matches best first,
    only those the reader is confident about.
    """

    def skills(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]: ...

    def occupations(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]: ...
