"""The purpose registry: legal bases, versioned texts and the Art. 30 record."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from consent import purposes
from consent.models import ConsentAction
from consent.purposes import CONSENT, PUBLIC_TASK, PUBLISHED, PURPOSES, Localised

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_BASES = {
    "core_matching": PUBLIC_TASK,
    "caseworker_sharing": PUBLIC_TASK,
    "employer_coffee": CONSENT,
    "swipe_personalisation": CONSENT,
    "email_notifications": CONSENT,
    "research_evaluation": CONSENT,
}


def test_required_purposes_and_their_legal_bases():
    assert {pid: p.legal_basis for pid, p in PURPOSES.items()} == EXPECTED_BASES
    for purpose in PURPOSES.values():
        # Consent only where saying no costs nothing.
        assert purpose.optional == (purpose.legal_basis == CONSENT)


def test_every_published_text_has_a_fingerprint():
    """Changing a text without bumping its version (and adding a fingerprint) fails here."""
    for purpose in PURPOSES.values():
        assert PUBLISHED[purpose.id][purpose.version] == purpose.fingerprint(), (
            f"{purpose.id}: the text changed; bump the version and add the new fingerprint"
        )
        assert purpose.version == max(PUBLISHED[purpose.id])


def test_fingerprint_covers_what_people_consent_to():
    purpose = PURPOSES["employer_coffee"]
    changes = [
        {"text": Localised(purpose.text.da + " Ændret.", purpose.text.en)},
        {"title": Localised(purpose.title.da, purpose.title.en + "!")},
        {"recipients": (*purpose.recipients, Localised("Flere", "More"))},
        {"retention": Localised("1 år", "1 year")},
        {"data_categories": (*purpose.data_categories, "email")},
    ]
    for change in changes:
        assert dataclasses.replace(purpose, **change).fingerprint() != purpose.fingerprint()


def test_texts_exist_in_both_languages():
    for purpose in PURPOSES.values():
        for text in (purpose.title, purpose.text, purpose.retention, *purpose.recipients):
            assert text.da.strip() and text.en.strip()
            assert text.da != text.en
        assert purpose.text.get("en-GB") == purpose.text.en
        assert purpose.text.get(None) == purpose.text.da


def test_allowed_actions_follow_the_legal_basis():
    assert PURPOSES["employer_coffee"].allowed_actions == {
        ConsentAction.GRANT,
        ConsentAction.WITHDRAW,
    }
    assert ConsentAction.OPT_OUT in PURPOSES["core_matching"].allowed_actions
    assert ConsentAction.OBJECT in PURPOSES["core_matching"].allowed_actions
    caseworker = PURPOSES["caseworker_sharing"].allowed_actions
    assert ConsentAction.OPT_OUT not in caseworker and ConsentAction.GRANT not in caseworker


def test_inconsistent_purposes_are_rejected():
    base = PURPOSES["core_matching"]
    with pytest.raises(ValueError, match="optional"):
        dataclasses.replace(base, optional=True)
    with pytest.raises(ValueError, match="unknown data categories"):
        dataclasses.replace(base, data_categories=("shoe_size",))
    with pytest.raises(ValueError, match="opt-out"):
        dataclasses.replace(PURPOSES["email_notifications"], allows_opt_out=True)


def test_unknown_purpose():
    with pytest.raises(purposes.UnknownPurposeError):
        purposes.get("marketing")


@pytest.mark.parametrize("locale", ["da", "en"])
def test_record_of_processing_activities(locale):
    rows = purposes.records_of_processing(locale)
    assert [row["purpose_id"] for row in rows] == list(PURPOSES)
    required = {
        "purpose",
        "legal_basis",
        "data_categories",
        "recipients",
        "retention",
        "security_measures",
        "data_subjects",
        "third_country_transfers",
    }
    for row, purpose in zip(rows, PURPOSES.values(), strict=True):
        assert required <= row.keys()
        assert row["purpose"] == purpose.title.get(locale)
        assert row["retention"] == purpose.retention.get(locale)
        assert len(row["data_categories"]) == len(purpose.data_categories)  # type: ignore[arg-type]
        assert row["security_measures"]
        assert ("6(1)(a)" if locale == "en" else "litra a") in str(row["legal_basis"]) or (
            purpose.legal_basis == PUBLIC_TASK
        )
    research = next(r for r in rows if r["purpose_id"] == "research_evaluation")
    assert len(research["security_measures"]) > len(rows[0]["security_measures"])  # type: ignore[arg-type]
    matching = rows[0]
    assert matching["special_categories"], "accessibility needs may be health data"


def test_consent_does_not_import_flask_or_the_app():
    """Boundary: ``consent`` may use SQLModel, never Flask or the application package."""
    code = (
        "import sys\n"
        "import consent.guard, consent.ledger, consent.models, consent.pseudonym\n"
        "import consent.purposes, consent.rights\n"
        "leaks = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'app'))\n"
        "assert not leaks, leaks\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
