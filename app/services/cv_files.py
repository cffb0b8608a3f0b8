"""The text of a CV file a person uploads: PDF, DOCX, ODT, RTF or plain text, nothing else.

The kind of file is told from its bytes, never from its name or the browser's MIME type, and
every problem is a ``CvFileError`` whose ``code`` the view turns into a message in the person's
language. Nothing here keeps the file: it is read in memory and dropped (data minimisation).

Hostile files are expected: a zip archive (DOCX, ODT) is opened only when its entries stay small
once unpacked (``MAX_UNPACKED``, ``MAX_RATIO``), a PDF is read with pypdf's own limits and at most
``MAX_PAGES`` pages, XML is parsed with ``defusedxml`` (no entities, no external references), a
Word file with macros is refused rather than opened, and bytes that are not text are not guessed
at. A PDF without a text layer (a scan) is read by OCR with Debian's ``tesseract`` (Danish and
English) when it is installed (``make system-deps``); otherwise it is reported as such and the
person can paste the text.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import charset_normalizer
import docx
import pypdf
from defusedxml import ElementTree
from striprtf.striprtf import rtf_to_text

#: The largest file accepted (the request limit, ``MAX_CONTENT_LENGTH``, is a little above it).
MAX_BYTES = 5 * 1024 * 1024
#: DOCX and ODT: the most all entries may unpack to, and the most one entry may grow by.
MAX_UNPACKED = 30 * 1024 * 1024
MAX_RATIO = 200
MAX_PAGES = 20
#: A scan is read by OCR up to this many pages, each image within this many seconds.
MAX_OCR_PAGES = 5
OCR_SECONDS = 30
#: The most text kept: the profile's CV text holds 8,000 characters.
MAX_CHARS = 8000

_ODF_TEXT = "application/vnd.oasis.opendocument.text"
_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}
#: Text that is not UTF-8 is read as one of these (Danish files come from Windows, old Macs, DOS).
_WESTERN = ("cp1252", "iso8859_15", "mac_roman", "cp850")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"RIFF")


class CvFileError(ValueError):
    """A file that cannot be read as a CV; ``code`` names why (see ``app.views`` for the text)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CvText:
    """What was read from a file: its text, its kind and (for a PDF) its number of pages."""

    text: str
    kind: str  # "pdf", "docx", "odt", "rtf", "text" (or "json-resume", see `json_resume`)
    pages: int | None = None
    truncated: bool = False


def read_cv_file(data: bytes) -> CvText:
    """The text of an uploaded CV file, or ``CvFileError`` with one of the codes: ``empty``,
    ``too_large``, ``image``, ``old_word``, ``macros``, ``unsupported``, ``corrupt``,
    ``encrypted``, ``too_many_pages``, ``unpacks_too_large``, ``no_text``."""
    if not data.strip():
        raise CvFileError("empty")
    if len(data) > MAX_BYTES:
        raise CvFileError("too_large")
    if data.startswith(b"%PDF-"):
        kind, pages, text = "pdf", *_pdf(data)
    elif data.startswith(b"PK\x03\x04"):
        kind, text = _zipped(data)
        pages = None
    elif data.lstrip().startswith(b"{\\rtf"):
        kind, pages, text = "rtf", None, _rtf(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CvFileError("old_word")
    elif data.startswith(_IMAGE_MAGIC):
        raise CvFileError("image")
    else:
        kind, pages, text = "text", None, _plain(data)
    text = tidy(text)
    if not text:
        raise CvFileError("no_text")
    return CvText(text=text[:MAX_CHARS], kind=kind, pages=pages, truncated=len(text) > MAX_CHARS)


def json_resume(data: bytes) -> dict[str, Any] | None:
    """The document when the file is a JSON Resume (jsonresume.org: an object with ``basics``,
    ``work``, ``education`` or ``skills``), else None (then it is read as any other file)."""
    if len(data) > MAX_BYTES or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(doc, dict) and any(k in doc for k in ("basics", "work", "education", "skills")):
        return doc
    return None


def tidy(text: str) -> str:
    """Unicode NFC, one kind of line break, no control characters, no runs of blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- formats


def _pdf(data: bytes) -> tuple[int, str]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CvFileError("encrypted")
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise CvFileError("too_many_pages")
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        if not text.strip():
            text = _ocr(reader)
    except CvFileError:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        if "decrypt" in str(error).lower() or "encrypt" in type(error).__name__.lower():
            raise CvFileError("encrypted") from error
        raise CvFileError("corrupt") from error
    return count, text


def ocr_languages() -> str | None:
    """The tesseract languages to read a scan with ("dan+eng"), or None without tesseract."""
    if shutil.which("tesseract") is None:
        return None
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    wanted = [lang for lang in ("dan", "eng") if lang in listed]
    return "+".join(wanted) or None


def _ocr(reader: pypdf.PdfReader) -> str:
    """The text of a scanned PDF (page images without a text layer) by Debian's tesseract; a
    scan of more than ``MAX_OCR_PAGES`` pages, or no tesseract, is ``no_text``."""
    languages = ocr_languages()
    if languages is None or len(reader.pages) > MAX_OCR_PAGES:
        raise CvFileError("no_text")
    texts = []
    for page in reader.pages:
        for image in page.images:
            try:
                done = subprocess.run(
                    ["tesseract", "stdin", "stdout", "-l", languages],
                    input=image.data,
                    capture_output=True,
                    timeout=OCR_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise CvFileError("no_text") from error
            texts.append(done.stdout.decode("utf-8", errors="replace"))
    return "\n\n".join(texts)


def _zipped(data: bytes) -> tuple[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        _check_unpacked_size(archive)
        if "word/document.xml" in names:
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise CvFileError("macros")
            return "docx", _docx(data)
        if "mimetype" in names and archive.read("mimetype").strip() == _ODF_TEXT.encode():
            return "odt", _odt(archive.read("content.xml"))
    except CvFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a broken archive or document, whatever the cause
        raise CvFileError("corrupt") from error
    raise CvFileError("unsupported")


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNPACKED or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise CvFileError("unpacks_too_large")


def _docx(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(_docx_blocks(document))


def _docx_blocks(document: docx.document.Document) -> Iterator[str]:
    """Paragraphs and table rows (cells joined by tabs) in the order they stand."""
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
                yield "\t".join(c for c in cells if c)
        else:
            yield block.text


def _odt(content: bytes) -> str:
    root = ElementTree.fromstring(content)
    body = root.find("office:body/office:text", _NS)
    if body is None:
        raise CvFileError("corrupt")
    return "\n".join(_odt_blocks(body))


def _odt_blocks(element: ElementTree.Element) -> Iterator[str]:
    heading, paragraph = f"{{{_NS['text']}}}h", f"{{{_NS['text']}}}p"
    row, cell = f"{{{_NS['table']}}}table-row", f"{{{_NS['table']}}}table-cell"
    for child in element:
        if child.tag in (heading, paragraph):
            yield "".join(child.itertext())
        elif child.tag == row:
            cells = ("".join(c.itertext()).strip() for c in child if c.tag == cell)
            yield "\t".join(c for c in cells if c)
        else:
            yield from _odt_blocks(child)


def _rtf(data: bytes) -> str:
    try:
        return str(rtf_to_text(data.decode("cp1252", errors="replace"), errors="ignore"))
    except Exception as error:  # noqa: BLE001 - striprtf raises plain errors on broken input
        raise CvFileError("corrupt") from error


def _plain(data: bytes) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data, cp_isolation=list(_WESTERN)).best()
        if best is None:
            raise CvFileError("unsupported") from None
        text = str(best)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    if "\x00" in text or controls > len(text) // 100:
        raise CvFileError("unsupported")
    return text
