"""Check the zh_Hans catalogue is complete and its compiled .mo matches the .po; `--compile` rewrites the .mo.

Pure Python (polib), so neither `make run` nor `make test` needs GNU gettext installed.
"""

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main() -> int:
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    if missing:
        print(f"{PO}: {len(missing)} message(s) without a Chinese translation:")
        for m in missing[:50]:
            print("  -", m.replace("\n", " ")[:100])
        return 1
    mo = PO.with_suffix(".mo")
    if "--compile" in sys.argv:
        po.save_as_mofile(str(mo))
        print(f"compiled {mo} ({len(po)} messages)")
        return 0
    if not mo.exists():
        print(f"{mo} is missing: run `make messages`")
        return 1
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo))}
    stale = [
        e.msgid for e in po if not e.obsolete and compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)
    ]
    if stale:
        print(f"{mo} is older than the .po ({len(stale)} messages differ): run `make messages` and commit the .mo")
        return 1
    print(f"zh_Hans catalogue complete: {len(po)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
