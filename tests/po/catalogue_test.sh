#!/usr/bin/env bash
# The Vietnamese catalogue translates every text marked in the sources, with
# nothing fuzzy, nothing left over, and formats that agree with the English.
# Usage: catalogue_test.sh SOURCE_DIR
set -euo pipefail
src="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$src/po/extract.sh" "$work/hamlet.pot"
# msgcmp counts a fuzzy or empty translation as missing.
if ! msgcmp "$src/po/vi.po" "$work/hamlet.pot"; then
  echo "catalogue_test: po/vi.po lacks the texts above; run po/update.sh and translate them" >&2
  exit 1
fi
# Translations of texts no longer in the sources are dropped, not kept.
obsolete=$(grep -c '^#~ msgid' "$src/po/vi.po" || true)
if [ "${obsolete:-0}" -ne 0 ]; then
  echo "catalogue_test: po/vi.po keeps $obsolete obsolete texts; run po/update.sh and remove the #~ entries" >&2
  exit 1
fi
# Formats agree (the same directives, in an order the translation may change).
msgfmt --check --statistics -o "$work/vi.mo" "$src/po/vi.po"
echo "catalogue_test: every marked text is translated"
