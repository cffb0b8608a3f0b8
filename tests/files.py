"""Real files made in code, for the tests and the benchmarks (no binary fixtures in the repo)."""

from __future__ import annotations

import io
from pathlib import Path


def make_pdf(pages: list[list[str]]) -> bytes:
    """A real PDF with a text layer (Helvetica, WinAnsi), one list of lines per page."""
    objects: list[bytes] = []
    kids = []
    font_id = 3
    for lines in pages:
        body = (
            "BT /F1 12 Tf 72 760 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
        )
        stream = body.encode("cp1252")
        content_id = len(objects) + 4
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_id = len(objects) + 4
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(page_id)
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(head + objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )
    return out.getvalue()


def make_scanned_pdf(lines: list[str]) -> bytes:
    """A PDF of one page that is only a picture of the lines (a scan: no text layer)."""
    from PIL import Image, ImageDraw, ImageFont

    # Liberation Sans comes with Debian's Chromium (make system-deps); Pillow's own font has no ø.
    liberation = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
    font = (
        ImageFont.truetype(str(liberation), 36)
        if liberation.exists()
        else ImageFont.load_default(size=36)
    )
    page = Image.new("L", (1240, 200 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((100, 100 + 70 * n), line, fill=0, font=font)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()
