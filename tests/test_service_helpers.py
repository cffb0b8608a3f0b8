"""Helpers that live where their name says: labels and place names in ``vocabulary``, the open
posting rule in ``postings``, distances for other services through ``matching``."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import EscoOccupation, JobPosting
from app.services import matching, postings, vocabulary
from tests.conftest import add_postcodes


def test_occupation_label_prefers_the_danish_title_unless_the_page_is_english(session):
    danish = vocabulary.danish_occupations()[0]
    if session.get(EscoOccupation, danish.uri) is None:
        session.add(
            EscoOccupation(uri=danish.uri, isco_code=danish.isco_code or "0000", label="english")
        )
        session.commit()
    english = session.get(EscoOccupation, danish.uri).label

    assert vocabulary.occupation_label(session=session, uri=danish.uri, locale="da") == (
        danish.label
    )
    assert vocabulary.occupation_label(session=session, uri=danish.uri, locale="en") == english
    assert vocabulary.occupation_label(session=session, uri=None, locale="da") is None
    unknown = "http://data.europa.eu/esco/occupation/not-a-concept"
    assert vocabulary.occupation_label(session=session, uri=unknown, locale="da") is None


def test_place_name_is_the_town_of_a_postcode(session):
    add_postcodes(session, {"5000": ("Odense C", 55.396, 10.388)})

    assert vocabulary.place_name(session=session, code="5000") == "Odense C"
    assert vocabulary.place_name(session=session, code="0000") is None
    assert vocabulary.place_name(session=session, code=None) is None


def test_active_postings_filter_keeps_open_and_undated_postings(session, make_posting):
    today = date.today()
    open_ = make_posting(valid_through=today)
    undated = make_posting(valid_through=None)
    closed = make_posting(valid_through=today - timedelta(days=1))

    found = set(session.exec(select(JobPosting.id).where(postings.active_postings_filter())).all())
    assert {open_.id, undated.id} <= found and closed.id not in found
    # the SQL rule and the Python rule agree
    for posting in (open_, undated, closed):
        assert postings.is_open(posting) == (posting.id in found)
    later = set(
        session.exec(
            select(JobPosting.id).where(postings.active_postings_filter(today + timedelta(days=1)))
        ).all()
    )
    assert open_.id not in later and undated.id in later


def test_distance_km_between_odense_and_aarhus():
    odense, aarhus = (55.396, 10.388), (56.157, 10.211)

    assert matching.distance_km(start=odense, end=aarhus) == pytest.approx(85.4, abs=1.0)
    assert matching.distance_km(start=odense, end=odense) == pytest.approx(0.0, abs=1e-9)
