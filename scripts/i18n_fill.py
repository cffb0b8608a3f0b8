"""Merge translations from a JSON file into a locale's catalogue.

The JSON maps msgid -> msgstr, or msgid -> a list of plural forms.

Usage: python scripts/i18n_fill.py da translations.json
Translators may equally edit ``app/translations/<locale>/LC_MESSAGES/messages.po`` directly; this
helper only saves typing when many strings arrive at once.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUES = Path(__file__).resolve().parent.parent / "app" / "translations"


def main(locale: str, source: str) -> int:
    path = CATALOGUES / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    filled = 0
    for message in catalogue:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True)
    missing = [
        m.id
        for m in catalogue
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    print(f"{locale}: filled {filled}, still untranslated {len(missing)}")
    for message_id in missing:
        print("  -", message_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
