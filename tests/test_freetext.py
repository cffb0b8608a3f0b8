"""Reading pasted CVs into structured profiles (`recommender.freetext`).

Each CV under tests/data/cvs/ is a realistic text in its own layout (sections, one paragraph,
bullets, Word line breaks, a table, no headings, jobs without dates, numbered or decorated
headings) with a JSON of what a careful reader would take from it; the expected values were
written by hand from the CV, not from the parser. Optional keys: a job's "town" and "remark"
(what stood in brackets after the title), "work_titles" (the order the ranker gets) and
"summary_lacks" (text that belongs to a job, an education or a skill list, not the summary).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from recommender.cv_layout import PATTERNS_FILE
from recommender.freetext import ConceptReader, ParsedCV, parse_cv
from recommender.geo import danish_postcodes
from recommender.skills import SkillVocabulary, default_vocabulary
from recommender.types import ConceptMatch

CV_DIR = Path(__file__).parent / "data" / "cvs"
CV_NAMES = sorted(p.stem for p in CV_DIR.glob("*.txt"))

pytestmark = pytest.mark.skipif(
    len(danish_postcodes()) == 0, reason="countrystatecity-postal-codes is not installed"
)


@pytest.fixture(scope="module")
def vocab() -> SkillVocabulary:
    return default_vocabulary()


def _load(name: str) -> tuple[str, dict[str, Any]]:
    text = (CV_DIR / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((CV_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return text, expected


def test_at_least_twelve_cvs_in_both_languages() -> None:
    langs = [_load(n)[1]["language"] for n in CV_NAMES]
    assert len(CV_NAMES) >= 12
    assert langs.count("da") >= 4 and langs.count("en") >= 4


@pytest.mark.parametrize("name", CV_NAMES)
def test_cv_is_read_as_expected(name: str, vocab: SkillVocabulary) -> None:
    text, exp = _load(name)
    cv = parse_cv(text, vocabulary=vocab)
    assert cv.language == exp["language"]

    jobs = {
        (
            j.value.title.lower(),
            j.value.employer,
            j.value.period.start if j.value.period else None,
            j.value.period.end if j.value.period else None,
            j.value.period.current if j.value.period else False,
            j.value.town,
            j.value.remark,
        )
        for j in cv.jobs
    }
    want = {
        (
            j["title"].lower(),
            j["employer"],
            j["start"],
            j["end"],
            j["current"],
            j.get("town"),
            j.get("remark"),
        )
        for j in exp["jobs"]
    }
    assert jobs == want

    education = {(e.value.title, e.value.institution, e.value.year) for e in cv.education}
    assert education == {(e["title"], e["institution"], e["year"]) for e in exp["education"]}

    assert {x.value.code: x.value.level for x in cv.languages} == exp["languages"]
    assert {c.value.code for c in cv.certificates} == set(exp["certificates"])
    assert [w.value.lower() for w in cv.wishes] == exp["wishes"]

    profile = cv.to_profile("p1")
    assert profile.postcode == exp["postcode"]
    assert profile.hours == exp["hours"]
    assert profile.commute_km == exp["commute_km"]
    if "work_titles" in exp:
        assert profile.work_titles == exp["work_titles"]
    for phrase in exp.get("summary_lacks", []):
        assert phrase not in profile.summary
        assert phrase in text
    flagged = {name for name, _ in cv.to_confirm()}
    assert flagged == set(exp["uncertain"])


@pytest.mark.parametrize("name", CV_NAMES)
def test_spans_point_at_the_text_read(name: str, vocab: SkillVocabulary) -> None:
    text, _ = _load(name)
    cv = parse_cv(text, vocabulary=vocab)
    for job in cv.jobs:
        assert job.value.title.lower() in text[slice(*job.span)].lower()
        if job.value.employer:
            assert job.value.employer in text[slice(*job.span)]
    for wish in cv.wishes:
        assert text[slice(*wish.span)].lower() == wish.value.lower()
    if cv.place is not None:
        assert (
            cv.place.value.postcode in text[slice(*cv.place.span)]
            or (cv.place.value.town or "") in text[slice(*cv.place.span)]
        )
    for lang in cv.languages:
        assert lang.value.name.lower() in text[slice(*lang.span)].lower()
    for skill in cv.skills:
        assert skill.span is not None
        assert " ".join(skill.matched.split()) in " ".join(text[slice(*skill.span)].split())
    for _, item in cv.to_confirm(min_confidence=1.01):  # every item
        assert 0.0 <= item.confidence <= 1.0


class FakeReader:
    """A concept reader that records its calls and answers from a fixed table."""

    def __init__(self, skills: dict[str, list[tuple[str, float]]], occupations: dict[str, str]):
        self.skill_table = skills
        self.occupation_table = occupations
        self.skill_calls: list[list[str]] = []
        self.occupation_calls: list[list[str]] = []

    def skills(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        self.skill_calls.append(list(texts))
        return [
            [
                ConceptMatch("skill", 10_000 + n, uri, uri.rsplit("/", 1)[-1], conf, "semantic")
                for n, (uri, conf) in enumerate(self.skill_table.get(t, []))
            ]
            for t in texts
        ]

    def occupations(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        self.occupation_calls.append(list(texts))
        return [
            [ConceptMatch("occupation", 7, self.occupation_table[t], t, 0.8, "semantic")]
            if t in self.occupation_table
            else []
            for t in texts
        ]


CV_WITH_UNKNOWNS = """Kim Berg
Skovbrynet 3, 8200 Aarhus N

Erhvervserfaring
2018–2023  Flowmester, Grundfos A/S
- Styring af pumpelinjer og kvalitetskontrol

Kompetencer
Lean-tavler, Kaizen, svejsning
"""


def test_concept_reader_is_called_once_and_its_matches_land_with_spans(
    vocab: SkillVocabulary,
) -> None:
    reader = FakeReader(
        skills={
            "Lean-tavler": [("urn:test:lean", 0.82)],
            "Kaizen": [("urn:test:kaizen", 0.35)],
        },
        occupations={"Flowmester": "urn:test:occ:flow"},
    )
    _: ConceptReader = reader  # the fake satisfies the protocol
    cv = parse_cv(CV_WITH_UNKNOWNS, vocabulary=vocab, concepts=reader)

    assert len(reader.skill_calls) == 1
    assert {"Lean-tavler", "Kaizen", "svejsning"} <= set(reader.skill_calls[0])
    # Titles the vocabulary already knows are not sent; this one it does not know.
    assert reader.occupation_calls == [["Flowmester"]]

    by_uri = {s.uri: s for s in cv.skills}
    lean, kaizen = by_uri["urn:test:lean"], by_uri["urn:test:kaizen"]
    assert lean.span is not None and CV_WITH_UNKNOWNS[slice(*lean.span)] == "Lean-tavler"
    assert kaizen.span is not None and CV_WITH_UNKNOWNS[slice(*kaizen.span)] == "Kaizen"
    job = cv.jobs[0].value
    assert job.occupation is not None and job.occupation.uri == "urn:test:occ:flow"
    assert job.occupation.span == cv.jobs[0].span

    # The low-confidence match is kept for the person to confirm, not given to the ranker.
    assert ("skills", kaizen) in cv.to_confirm()
    profile = cv.to_profile("kim")
    assert "urn:test:lean" in profile.skills and "urn:test:kaizen" not in profile.skills
    assert "urn:test:kaizen" in cv.to_profile("kim", min_confidence=0.3).skills


def test_to_profile_gives_the_ranker_a_structured_profile(vocab: SkillVocabulary) -> None:
    text, _ = _load("da_sectioned")
    cv = parse_cv(text, vocabulary=vocab)
    p = cv.to_profile("mette")
    # The summary is her own profile text (and the lines above it), not the whole CV again.
    assert p.id == "mette" and p.summary.startswith("Mette Hansen\nSkovvej 14, 8000 Aarhus C")
    assert "Erfaren lagermedarbejder med mange års erfaring" in p.summary
    assert "Plukning" not in p.summary and "Mercantec" not in p.summary
    # Most recent job first: the ranker reads the first titles as the implied wish.
    assert p.work_titles == ["Truckfører", "Lagermedarbejder"]
    assert p.work[0] == "Truckfører. DSV Road A/S. Kørsel med gaffeltruck og reachtruck."
    assert p.work[1].startswith("Lagermedarbejder. Coop Danmark A/S. Plukning og pakning")
    assert p.wished_titles == ["lagermedarbejder", "truckfører"]
    assert p.postcode == "8000" and p.hours == "fuldtid"
    skill_uris = {vocab.uris[i] for i in vocab.recognise("truckkørsel, lagerstyring")}
    assert skill_uris and skill_uris <= set(p.skills)
    assert "Truckcertifikat" in p.skills and "Dansk" in p.skills
    assert "Microsoft Excel" in p.skills  # a skill-list item as written
    assert any("Mercantec" in e for e in p.education)
    assert vocab.recognise("", p.skills) >= vocab.recognise("truckkørsel, lagerstyring")


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("Lagermedarbejder 2019 Aarhus\nBor i Aarhus", "8000"),  # 2019 is a year, not a code
        ("Adresse: Hovedgaden 2, 2000 Frederiksberg\n2000–2004 Kok", "2000"),
        ("2019–2022 Kok, Restaurant Aarhus", None),
    ],
)
def test_postcode_is_checked_against_the_postcode_data(
    text: str, postcode: str | None, vocab: SkillVocabulary
) -> None:
    cv = parse_cv(text, vocabulary=vocab)
    assert (cv.place.value.postcode if cv.place else None) == postcode


@pytest.mark.parametrize(
    "heading",
    [
        "Work experience",
        "WORK EXPERIENCE:",
        "## Erhvervserfaring",
        "• Erfaring:",
        "— ERFARING —",
        "**Arbejdserfaring**",
        "1. Erhvervserfaring",
        "BESKÆFTIGELSE",
        "Ansættelser:",
    ],
)
def test_headings_in_any_form_start_a_section(heading: str, vocab: SkillVocabulary) -> None:
    cv = parse_cv(f"{heading}\nLagermedarbejder\nCoop A/S\n2015 - 2019\n", vocabulary=vocab)
    assert [(j.value.title, j.value.employer) for j in cv.jobs] == [
        ("Lagermedarbejder", "Coop A/S")
    ]
    assert cv.jobs[0].confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "start", "end", "current"),
    [
        ("Kok, Hotel X, jan. 2019 – nu", "2019-01", None, True),
        ("Kok, Hotel X, 2018-present", "2018", None, True),
        ("Kok, Hotel X, Siden 2020", "2020", None, True),
        ("Kok, Hotel X, 03/2017 - 08/2019", "2017-03", "2019-08", False),
        ("Kok, Hotel X, fra 2015 til 2018", "2015", "2018", False),
        ("Kok, Hotel X, August 2016 to March 2018", "2016-08", "2018-03", False),
    ],
)
def test_period_forms(
    text: str, start: str, end: str | None, current: bool, vocab: SkillVocabulary
) -> None:
    cv = parse_cv("Erhvervserfaring\n" + text, vocabulary=vocab)
    assert len(cv.jobs) == 1
    period = cv.jobs[0].value.period
    assert period is not None and (period.start, period.end, period.current) == (
        start,
        end,
        current,
    )
    assert cv.jobs[0].value.employer == "Hotel X"


def test_hours_in_a_past_job_are_only_a_guess(vocab: SkillVocabulary) -> None:
    cv = parse_cv("Erhvervserfaring\n2015-2019 Kok (deltid), Hotel X", vocabulary=vocab)
    assert cv.hours is not None and cv.hours.value == "deltid"
    assert cv.hours.confidence < 0.5 and cv.to_profile("x").hours is None
    assert ("hours", cv.hours) in cv.to_confirm()


def _parsed(name: str, vocab: SkillVocabulary) -> ParsedCV:
    return parse_cv(_load(name)[0], vocabulary=vocab)


def test_language_of_the_cv(vocab: SkillVocabulary) -> None:
    assert _parsed("da_running_letter", vocab).language == "da"
    assert _parsed("en_one_paragraph", vocab).language == "en"
    assert parse_cv("12 34 56", vocabulary=vocab).language is None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def _structure_words() -> set[str]:
    """Words that only give a CV its structure: headings, table columns, dates."""
    d = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    phrases = [w for ws in d["sections"].values() for w in ws]
    phrases += [w for ws in d["table_columns"].values() for w in ws]
    phrases += [w for ws in d["months"].values() for w in ws]
    phrases += d["present"] + d["range_words"] + d["since_words"] + d["from_words"]
    phrases += [w for ws in d["employer_markers"].values() for w in ws]  # "hos", "at"
    return _words(" ".join(phrases))


@pytest.mark.parametrize("name", CV_NAMES)
def test_every_word_of_the_cv_reaches_the_profile(name: str, vocab: SkillVocabulary) -> None:
    """The embedding and BM25 read summary, work, education and skill texts: each sentence of
    the CV must land in one of them (up to headings and dates, which the fields replace)."""
    text, _ = _load(name)
    p = parse_cv(text, vocabulary=vocab).to_profile("x")
    named_skills = [s for s in p.skills if not s.startswith("http")]
    seen = _words("\n".join([p.summary, *p.work, *p.education, *named_skills]))
    lost = {
        (sentence.strip(), word)
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text)
        for word in _words(sentence) - seen - _structure_words()
    }
    assert not lost


def test_a_cv_without_headings_keeps_its_whole_text_as_summary(vocab: SkillVocabulary) -> None:
    for name in ("en_no_structure", "da_no_headings", "en_one_paragraph"):
        text, _ = _load(name)
        cv = parse_cv(text, vocabulary=vocab)
        assert cv.to_profile("x").summary == text.strip()
    # Its "Title, Employer ApS" lines are still read as jobs, with lower confidence.
    cv = _parsed("en_no_structure", vocab)
    assert [j.value.title for j in cv.jobs] == ["Laboratory Technician", "Quality Controller"]
    assert all(0.5 <= j.confidence < 0.7 for j in cv.jobs)


@pytest.mark.parametrize(
    "line",
    [
        "Lagermedarbejder, Nordisk Fragt Lager A/S, Kolding",
        "Lagermedarbejder – Nordisk Fragt Lager A/S",
        "Lagermedarbejder hos Nordisk Fragt Lager A/S",
        "• Lagermedarbejder, Nordisk Fragt Lager A/S",
    ],
)
def test_a_job_line_without_dates_in_an_experience_section(
    line: str, vocab: SkillVocabulary
) -> None:
    cv = parse_cv(
        f"Erhvervserfaring\n{line}\nPlukning og pakning af ordrer til butikker.\n"
        "2015–2019 Lagermedarbejder, Nordisk Fragt Lager A/S\n",
        vocabulary=vocab,
    )
    undated, dated = cv.jobs
    assert (undated.value.title, undated.value.employer) == (
        "Lagermedarbejder",
        "Nordisk Fragt Lager A/S",
    )
    assert undated.value.period is None
    assert undated.value.description == "Plukning og pakning af ordrer til butikker."
    assert 0.5 <= undated.confidence < dated.confidence
    assert cv.to_profile("x").work_titles == ["Lagermedarbejder"]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        # Outside a section a "Title, Employer" line needs a company cue.
        ("Mette Hansen, Lagermedarbejder\nBor i Aarhus", []),
        ("Mette Hansen\nLagermedarbejder, Nordisk Fragt Lager A/S", ["Lagermedarbejder"]),
        # In a section a description line with a comma is not a job.
        ("Work experience\nCook at Restaurant Noma\nlunch, dinner and desserts", ["Cook"]),
        ("Erfaring\nKok, Hotel X\nAnsvar for frokost, kolde retter og buffet", ["Kok"]),
        ("Erfaring\nKok, Hotel X\nOpgaver: Frokost, Buffet", ["Kok"]),
        # A sentence is not a title.
        ("Erfaring\n2014–2016 Jeg var hjemme med mine børn", []),
        ("Erfaring\nJeg har haft forskellige vikarjob, Adecco A/S", []),
        # Hobbies are not jobs, nor are contact lines.
        ("Erfaring\nKok, Hotel X\n\nInteresser/Fritid\nTræner, Vejle Boldklub A/S", ["Kok"]),
        ("Erfaring\nMette Hansen, mette@example.dk\nKok, Hotel X", ["Kok"]),
    ],
)
def test_which_lines_are_jobs(text: str, titles: list[str], vocab: SkillVocabulary) -> None:
    assert [j.value.title for j in parse_cv(text, vocabulary=vocab).jobs] == titles


@pytest.mark.parametrize(
    ("line", "title", "remark"),
    [
        ("Sygehjælper (studiejob) – Hjemmeplejen, Odense Kommune", "Sygehjælper", "studiejob"),
        ("Lagermedarbejder (vikar), Coop A/S", "Lagermedarbejder", "vikar"),
        ("Kok (deltid), Hotel X", "Kok", "deltid"),
        ("Care Assistant (part-time) at Aalborg Kommune", "Care Assistant", "part-time"),
        ("Senior Software Developer, Danske Bank A/S", "Senior Software Developer", None),
        ("Jr. Accountant, Nordisk Revision ApS", "Jr. Accountant", None),
    ],
)
def test_work_titles_are_titles(
    line: str, title: str, remark: str | None, vocab: SkillVocabulary
) -> None:
    cv = parse_cv(f"Erhvervserfaring\n{line}\n", vocabulary=vocab)
    assert [(j.value.title, j.value.remark) for j in cv.jobs] == [(title, remark)]
    work = cv.to_profile("x").work[0]
    assert work.startswith(title) and (remark is None or f"({remark})" in work)


def test_the_employer_keeps_all_its_parts(vocab: SkillVocabulary) -> None:
    cv = parse_cv(
        "Erhvervserfaring\nSygehjælper – Hjemmeplejen, Odense Kommune\n"
        "Lagermedarbejder, Nordisk Fragt Lager A/S, Kolding\n",
        vocabulary=vocab,
    )
    assert [(j.value.employer, j.value.town) for j in cv.jobs] == [
        ("Hjemmeplejen, Odense Kommune", None),
        ("Nordisk Fragt Lager A/S", "Kolding"),
    ]
    assert cv.to_profile("x").work[1] == "Lagermedarbejder. Nordisk Fragt Lager A/S. Kolding"


@pytest.mark.parametrize(
    ("heading", "line", "field"),
    [
        ("Kurser og certifikater", "Truckcertifikat B", "skills"),
        ("IT-kompetencer", "Microsoft Excel", "skills"),
        ("KVALIFIKATIONER:", "Microsoft Excel", "skills"),
        ("Key skills", "Microsoft Excel", "skills"),
        ("== Certifications ==", "Truckcertifikat B", "skills"),
        ("Sprog", "Tysk", "skills"),
        ("LANGUAGES:", "German", "skills"),
        ("3. Uddannelse", "Svendebrev som tømrer", "education"),
        ("# Education", "Svendebrev som tømrer", "education"),
        ("Interesser/Fritid", "Lystfiskeri", "summary"),
        ("Hobbies", "Lystfiskeri", "summary"),
        ("Referencer", "Gives gerne", "summary"),
        ("Personlige kompetencer", "Mødestabil og glad", "summary"),
        ("Faglige kompetencer", "Microsoft Excel", "skills"),
    ],
)
def test_heading_variants_give_their_section(
    heading: str, line: str, field: str, vocab: SkillVocabulary
) -> None:
    # Without the heading the line would be read as part of the job above it.
    text = f"Erhvervserfaring\nKok, Hotel X\n\n{heading}\n{line}\n"
    p = parse_cv(text, vocabulary=vocab).to_profile("x")
    assert p.work == ["Kok. Hotel X"]
    found = {"skills": p.skills, "education": p.education, "summary": p.summary.split("\n")}
    assert any(line in x for x in found[field])
