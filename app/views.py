"""Helpers shared by the views of every blueprint: the page language, service error codes as
field messages, and the organisation an employer acts for.

Views only translate HTTP; these helpers keep the parts of that translation which several
blueprints need in one place instead of a copy per blueprint. Whether a request gets a page or an
htmx fragment is decided by ``app.htmx``.
"""

from collections.abc import Mapping
from typing import Any

from flask import abort, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import FieldList, Form

from app.services import postings


def locale() -> str:
    """The language of this request (one of ``LANGUAGES``), for services that word their results."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


# Service error codes as field messages; the forms catch most of these before a service does.
ERROR_TEXT: Mapping[str, Any] = {
    "unknown_postcode": _l("We do not know that postcode. Check the four digits."),
    "unknown_occupation": _l(
        "We do not know that occupation. Pick a title from the list, or leave the field empty."
    ),
    "required": _l("This field is required."),
    "too_long": _l("The text is too long."),
    "too_short": _l("Write at least %(min)d characters.", min=postings.DESCRIPTION_MIN),
    "too_far": _l("Choose a date at most one year from today."),
    "too_many_skills": _l("Write at most %(n)d skills.", n=postings.SKILLS_MAX),
    "hours": _l("Write a number between 1 and 60."),
    "duration": _l("Write a number between 10 and 240."),
    "capacity": _l("Write a number between 1 and 100."),
}
# Why an uploaded CV file could not be read (codes of ``app.services.cv_files``).
CV_FILE_ERROR_TEXT: Mapping[str, Any] = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than 5 MB. Save a smaller version, or paste the text."),
    "image": _l(
        "The file is a picture. We cannot read text in pictures yet: upload the CV as PDF or "
        "Word, or paste the text below."
    ),
    "old_word": _l(
        "This is an old Word file (.doc). Save it as .docx or PDF in Word and try again, or "
        "paste the text."
    ),
    "macros": _l(
        "The Word file contains macros, which we do not open. Save it as an ordinary .docx or "
        "PDF and try again."
    ),
    "unsupported": _l(
        "We cannot read this kind of file. Use PDF, Word (.docx), OpenDocument (.odt), RTF or "
        "text, or paste the text."
    ),
    "corrupt": _l("The file seems to be damaged. Save it again and retry, or paste the text."),
    "encrypted": _l(
        "The PDF is protected by a password. Save it without the password, or paste the text."
    ),
    "too_many_pages": _l("The file has more than 20 pages. Upload only your CV."),
    "unpacks_too_large": _l(
        "The file unpacks to far more than a CV. Save it again and retry, or paste the text."
    ),
    "no_text": _l(
        "We found no text in the file: it may be a scanned page. Paste the text instead, or "
        "upload a PDF with text."
    ),
}

# "in_the_past" means a different date on each form, so each gets its own wording.
POSTING_ERROR_TEXT: Mapping[str, Any] = {
    **ERROR_TEXT,
    "in_the_past": _l("The date cannot be in the past."),
}
MEETING_ERROR_TEXT: Mapping[str, Any] = {
    **ERROR_TEXT,
    "in_the_past": _l("The meeting must start in the future."),
}


def show_error(
    form: Form,
    *,
    field: str | None,
    code: str,
    texts: Mapping[str, Any] = ERROR_TEXT,
    fallback: str = "title",
) -> None:
    """Show a service's error ``code`` as a message on the form field it names.

    An error that names no field of the form goes on ``fallback``; an unknown code reads "This
    field is required." A list of inputs has no error slot of its own, so its first input gets
    the message.
    """
    target = getattr(form, field or "", None) or getattr(form, fallback)
    if isinstance(target, FieldList):
        target = target.entries[0]
    message = texts.get(code, texts["required"])
    target.errors = [*target.errors, str(message)]


def current_employer_id() -> int:
    """The organisation the logged-in employer acts for; an account without one may not act at
    all (403)."""
    if current_user.employer_id is None:
        abort(403)
    return current_user.employer_id
