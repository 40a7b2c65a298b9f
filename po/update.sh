#!/usr/bin/env bash
# After texts were added or changed in the sources: refreshes po/hamlet.pot
# and merges it into po/vi.po, where new texts appear untranslated and
# changed ones as fuzzy, for a translator to finish.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/extract.sh" "$here/hamlet.pot"
msgmerge --quiet --update --backup=none --no-wrap "$here/vi.po" "$here/hamlet.pot"
msgfmt --check --statistics -o /dev/null "$here/vi.po"
