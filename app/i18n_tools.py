"""Catalog maintenance: `python -m app.i18n_tools fill-english PO` and `check DIR`."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_english(path: Path) -> int:
    """Make every English message its own translation (English is the source language).

    Every message is reset, not only empty ones: `pybabel update` pre-fills new messages with a
    similar old translation marked fuzzy, which would otherwise survive here.
    """
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        wanted = tuple(message.id) if message.pluralizable else message.id
        if message.string != wanted:
            message.string = wanted
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True)
    return filled


def problems(path: Path) -> list[str]:
    """List the messages of a catalog that are untranslated or fuzzy."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            found.append(f"untranslated: {message.id!r}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "fill-english":
        print(f"{fill_english(Path(argv[1]))} English messages filled")
        return 0
    if len(argv) == 2 and argv[0] == "check":
        bad = [f"{po}: {p}" for po in sorted(Path(argv[1]).glob("*/LC_MESSAGES/messages.po")) for p in problems(po)]
        print("\n".join(bad) or "all catalogs complete")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
