"""Danish titles for every ESCO occupation: complete, reviewed and used by the recommender."""

import importlib.util
from pathlib import Path
from types import ModuleType

from recommender.esco import load_esco
from recommender.skills import default_vocabulary, load_titles_da

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_occupation_titles_da.py"


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_occupation_titles_da", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_occupation_has_a_reviewed_danish_title() -> None:
    titles, problems, figures = _build_script().review()
    assert problems == []
    assert figures["with_danish_title"] == figures["occupations"] == len(load_esco().occ_uris)


def test_the_shipped_file_is_built_from_the_reviewed_sources() -> None:
    assert _build_script().main(["--check"]) == 0


def test_the_review_catches_copies_duplicates_and_gaps(tmp_path: Path) -> None:
    esco = load_esco()
    uri = esco.occ_uris[esco.occ_labels.index("shipwright")]
    other = esco.occ_uris[esco.occ_labels.index("stonemason")]
    (tmp_path / "isco-71.toml").write_text(
        f'[[occupation]]\nuri = "{uri}"\nen = "shipwright"\nda = "Shipwright"\n'
        'alt_da = ["bådebygger"]\n\n'
        f'[[occupation]]\nuri = "{other}"\nen = "stonemason"\nda = "shipwright"\nalt_da = []\n',
        encoding="utf-8",
    )
    _, problems, figures = _build_script().review(tmp_path)
    text = "\n".join(problems)
    assert "copies the English label 'Shipwright'" in text
    assert "also names" in text and "0 alternative titles" in text
    assert "missing:" in text and figures["with_danish_title"] == 2


def test_danish_titles_name_occupations_outside_the_catalogue() -> None:
    vocab = default_vocabulary()
    esco = vocab.esco
    titles = load_titles_da()
    for label in ("shipwright", "stonemason", "museum scientist", "audiologist"):
        oi = esco.occ_labels.index(label)
        da = titles[esco.occ_uris[oi]]["da"]
        assert vocab.occupation_of_title(da, lang="da") == oi, da
        assert vocab.occ_da_label[oi]
