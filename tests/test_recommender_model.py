"""The ranker with the real multilingual-e5-small model (skipped when it is not built)."""

import pytest

from recommender.encoders import ModelNotBuiltError, load_encoder
from recommender.ranking import Recommender
from recommender.types import Posting, Profile

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def encoder():
    for backend in ("onnx", "torch"):
        try:
            return load_encoder(backend)
        except ModelNotBuiltError:
            continue
    pytest.skip("embedding model not built (python -m recommender model build --onnx)")


POSTINGS = [
    Posting("nurse", "Sygeplejerske", "Medicinsk afsnit søger sygeplejerske til patientpleje."),
    Posting("carpenter", "Tømrer", "Tømrer med svendebrev til renovering af etageboliger."),
    Posting("driver", "Lastbilchauffør", "Chauffør med kørekort C/CE til distributionskørsel."),
    Posting("teacher", "Pædagog", "Børnehave søger pædagog til en gruppe på 20 børn."),
]


def test_semantic_matching_in_danish(encoder) -> None:
    rec = Recommender.build(POSTINGS, encoder)
    cases = {
        "Jeg har passet patienter på hospital i mange år og er uddannet i sygepleje.": "nurse",
        "Jeg har bygget huse og lavet tagkonstruktioner i træ.": "carpenter",
        "Jeg har kørt lastbil i Europa og har alle kørekort.": "driver",
        "Jeg elsker at lege og lave aktiviteter med små børn.": "teacher",
    }
    for cv, expected in cases.items():
        top = rec.rank(Profile("c", summary=cv), k=1, method="semantic")
        assert top[0].posting_id == expected, cv
    # Cosines of a real model sit in a narrow band: the normalised value spreads them out.
    r = rec.rank(Profile("c", summary=next(iter(cases))), k=4)
    raw = [c.raw for x in r for c in x.explanation.components if c.name == "semantic"]
    assert max(raw) - min(raw) < 0.2 and min(raw) > 0.6
