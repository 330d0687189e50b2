from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_portuguese_translation():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_plural_messages_have_both_portuguese_forms():
    """pt-BR has two forms ("falta 1 dia útil" / "faltam 2 dias úteis"): a missing one shows English."""
    catalogue = polib.pofile(str(PO))
    incomplete = [
        e.msgid for e in catalogue if e.msgid_plural and len([v for v in e.msgstr_plural.values() if v]) < 2
    ]
    assert incomplete == []
