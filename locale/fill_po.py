"""Fill locale/pt_BR/LC_MESSAGES/django.po from locale/pt_BR/translations.tsv (msgid<TAB>msgstr per line).

Workflow: `manage.py makemessages -l pt_BR`, add the new strings to translations.tsv, run this script.
`tests/test_i18n.py` fails while any msgid is left untranslated, so the UI never shows English by accident.
"""

import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
PO = HERE / "pt_BR" / "LC_MESSAGES" / "django.po"
TSV = HERE / "pt_BR" / "translations.tsv"


def load_table():
    table = {}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        msgid, msgstr = line.split("\t", 1)
        table[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    return table


def main():
    table = load_table()
    po = polib.pofile(str(PO))
    po.metadata["Language"] = "pt_BR"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    missing = []
    for entry in po:
        if entry.msgid in table:
            value = table[entry.msgid]
            if entry.msgid_plural:
                singular, _, plural = value.partition("|")
                entry.msgstr_plural = {0: singular, 1: plural or singular}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.translated():
            missing.append(entry.msgid)
    po.save(str(PO))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
