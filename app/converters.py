"""Ids from outside (URLs, forms, query strings) are range-checked before they reach the database.

Every primary key is a 32-bit integer. A larger number (``/arbejdsgiver/job/`` followed by 300
digits) would make the database driver overflow and turn a typo into a 500, so such ids never
match a route (404) and never pass a form (400 or a field message).
"""

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map
from wtforms import IntegerField

MIN_ID = 1
MAX_ID = 2**31 - 1  # PostgreSQL ``integer``; SQLite holds more, but one rule for both
MAX_ID_DIGITS = len(str(MAX_ID))


class IdConverter(IntegerConverter):
    """``<int:...>`` for database ids: 1 to ``MAX_ID``, anything else is a 404.

    The pattern allows at most ten digits, so an absurdly long number is rejected before Python
    even converts it. ``min``/``max`` in a rule (``<int(max=12):month>``) still override the range.
    """

    regex = rf"\d{{1,{MAX_ID_DIGITS}}}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = MIN_ID,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    """Make every ``<int:...>`` URL argument a range-checked id (before blueprints add rules)."""
    app.url_map.converters["int"] = IdConverter


def parse_id(value: object) -> int | None:
    """An id from a form or query string, or None when it is not a whole number in range."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    number = int(text)
    return number if MIN_ID <= number <= MAX_ID else None


class IdField(IntegerField):
    """A hidden or typed id in a form; text that is not an id in range fails validation."""

    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = parse_id(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Not a valid id."))
