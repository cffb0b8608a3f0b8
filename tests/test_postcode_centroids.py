"""Postcode centroids: the source misplaces some towns; the corrections keep them on land."""

import pytest

from recommender.geo import (
    Postcodes,
    centroid_corrections,
    danish_postcodes,
    haversine_km,
    misplaced_centroids,
)

pytest.importorskip("countrystatecity_postal_codes")


def test_only_hand_checked_postcodes_remain_outliers() -> None:
    coords = danish_postcodes().coords
    assert set(misplaced_centroids(coords)) <= set(centroid_corrections())


def test_known_misplaced_towns_are_where_they_are() -> None:
    pc = danish_postcodes()
    ringkobing, skjern = pc.lookup("6950"), pc.lookup("6900")
    ronne, nexo = pc.lookup("3700"), pc.lookup("3730")
    thisted = pc.lookup("7700")
    assert ringkobing and skjern and ronne and nexo and thisted
    assert haversine_km(*ringkobing, *skjern) < 30  # the source puts Ringkøbing in the North Sea
    assert haversine_km(*ronne, *nexo) < 35  # Bornholm is 40 km across
    assert 8.4 < thisted[1] < 9.0  # on land, not west of the coast


def test_detector_flags_a_centroid_far_from_its_group() -> None:
    coords = {"8000": (56.15, 10.20), "8200": (56.17, 10.19), "8210": (56.16, 10.15)}
    assert misplaced_centroids(coords) == []
    coords["8220"] = (56.15, 6.0)  # in the North Sea
    assert misplaced_centroids(coords) == ["8220"]


def test_given_coordinates_are_corrected_only_for_known_codes() -> None:
    pc = Postcodes([{"code": "6950", "latitude": 56.2, "longitude": 4.07}])
    assert pc.lookup("6950") == centroid_corrections()["6950"]
    assert Postcodes({"9999": (55.0, 10.0)}).lookup("9999") == (55.0, 10.0)
