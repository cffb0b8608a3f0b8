"""Reading uploaded CV files: every accepted format made for real, and a folder of bad ones."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
import pypdf
import pytest

from app.services.cv_files import (
    MAX_BYTES,
    MAX_CHARS,
    MAX_OCR_PAGES,
    MAX_PAGES,
    CvFileError,
    read_cv_file,
)
from tests.files import make_pdf, make_scanned_pdf

LINES = ["Mette Hansen, 8000 Aarhus C", "Lagermedarbejder hos Coop 2019-2024", "Truckcertifikat"]


def make_docx(*, table: bool = True) -> bytes:
    document = docx.Document()
    document.add_heading("Mette Hansen", level=1)
    document.add_paragraph(LINES[0])
    if table:
        grid = document.add_table(rows=1, cols=2)
        grid.rows[0].cells[0].text = "2019-2024"
        grid.rows[0].cells[1].text = "Lagermedarbejder hos Coop"
    document.add_paragraph(LINES[2])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def make_odt() -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        "<office:body><office:text>"
        '<text:h text:outline-level="1">Mette Hansen</text:h>'
        f"<text:p>{LINES[0]}</text:p>"
        "<table:table><table:table-row>"
        "<table:table-cell><text:p>2019-2024</text:p></table:table-cell>"
        "<table:table-cell><text:p>Lagermedarbejder hos Coop</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        f"<text:p>{LINES[2]}</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    return make_zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content.encode()},
    )


def make_rtf() -> bytes:
    body = r"\par ".join(line.replace("æ", r"\'e6") for line in LINES)
    return ("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Arial;}} " + body + "}").encode("cp1252")


GOOD: dict[str, Callable[[], bytes]] = {
    "pdf": lambda: make_pdf([LINES]),
    "docx": make_docx,
    "odt": make_odt,
    "rtf": make_rtf,
    "text": lambda: "\n".join(LINES).encode("utf-8"),
}


@pytest.mark.parametrize("kind", GOOD)
def test_every_format_is_read(kind: str) -> None:
    result = read_cv_file(GOOD[kind]())
    assert result.kind == kind
    for words in ("8000 Aarhus C", "Lagermedarbejder hos Coop", "2019-2024", "Truckcertifikat"):
        assert words in result.text


def test_table_cells_keep_their_order_in_docx_and_odt() -> None:
    for data in (make_docx(), make_odt()):
        text = read_cv_file(data).text
        assert "2019-2024\tLagermedarbejder hos Coop" in text
        assert text.index("Aarhus") < text.index("2019-2024") < text.index("Truckcertifikat")


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("Jeg har kørt truck på lageret i Århus".encode("utf-16"), "kørt truck"),
        ("\ufeffJeg har kørt truck".encode(), "kørt truck"),
        ("Jeg har kørt truck på lageret i Århus og pakket ordrer".encode("cp1252"), "kørt truck"),
    ],
)
def test_text_in_odd_encodings_is_read(encoded: bytes, expected: str) -> None:
    assert expected in read_cv_file(encoded).text


def test_a_long_text_is_cut_at_the_profile_limit() -> None:
    result = read_cv_file(("Lagermedarbejder med truckcertifikat. " * 400).encode())
    assert result.truncated and len(result.text) == MAX_CHARS


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([LINES]))))
    writer.encrypt("hemmelig")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _merged(pdfs: list[bytes]) -> bytes:
    writer = pypdf.PdfWriter()
    for data in pdfs:
        writer.append(pypdf.PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    docx_entries = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/padding.bin": b"\0" * (40 * 1024 * 1024),
    }
    return make_zip(docx_entries)


BAD: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty file": (lambda: b"", "empty"),
    "only blanks": (lambda: b" \n\t ", "empty"),
    "too large": (lambda: b"a" * (MAX_BYTES + 1), "too_large"),
    "picture": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image"),
    "jpeg named .pdf": (lambda: b"\xff\xd8\xff\xe0" + b"\0" * 64, "image"),
    "old Word .doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old_word"),
    "Word with macros": (
        lambda: make_zip({"word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"x"}),
        "macros",
    ),
    "zip bomb": (_zip_bomb, "unpacks_too_large"),
    "other zip": (lambda: make_zip({"readme.txt": b"hello"}), "unsupported"),
    "broken docx": (lambda: make_zip({"word/document.xml": b"<not xml"}), "corrupt"),
    "truncated pdf": (lambda: make_pdf([LINES])[:60], "corrupt"),
    "encrypted pdf": (_encrypted_pdf, "encrypted"),
    "pdf without text or pictures": (lambda: make_pdf([[]]), "no_text"),
    "scan of 6 pages": (
        lambda: _merged([make_scanned_pdf(["Side"]) for _ in range(MAX_OCR_PAGES + 1)]),
        "no_text",
    ),
    "50 pages": (lambda: make_pdf([["Side"]] * 50), "too_many_pages"),
    "binary noise": (lambda: bytes(range(256)) * 40, "unsupported"),
    "text with NUL bytes": (lambda: b"Jeg er kok\0\0\0\0" * 20, "unsupported"),
    "xml bomb in odt": (
        lambda: make_zip(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
            }
        ),
        "corrupt",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_and_hostile_files_get_a_reason(name: str) -> None:
    make, code = BAD[name]
    with pytest.raises(CvFileError) as caught:
        read_cv_file(make())
    assert caught.value.code == code


def test_page_limit_is_inclusive() -> None:
    assert read_cv_file(make_pdf([["Side"]] * MAX_PAGES)).pages == MAX_PAGES


def test_a_scanned_cv_is_read_by_ocr_in_danish() -> None:
    scan = make_scanned_pdf(
        ["Mette Hansen, 8000 Aarhus C", "Lagermedarbejder hos Coop", "Kørekort"]
    )
    assert pypdf.PdfReader(io.BytesIO(scan)).pages[0].extract_text().strip() == ""  # no text layer
    result = read_cv_file(scan)
    assert result.kind == "pdf"
    assert "Lagermedarbejder hos Coop" in result.text
    assert "Aarhus" in result.text and "Kørekort" in result.text  # Danish letters need "dan"


def test_without_tesseract_a_scan_asks_for_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(CvFileError) as caught:
        read_cv_file(make_scanned_pdf(["Lagermedarbejder"]))
    assert caught.value.code == "no_text"
