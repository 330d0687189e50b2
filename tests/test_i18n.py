from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_portuguese_translation():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []
