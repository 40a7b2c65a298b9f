#!/usr/bin/env bash
# Writes the message template of every text marked for translation (Tr, TrN,
# TrMark; see engine/include/hamlet/language.h) in the engine, the command
# line, the hub and the web app to the file given (default po/hamlet.pot).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/po/hamlet.pot}"
cd "$root"
mapfile -t sources < <(find engine/src engine/http office cli server ui -name '*.cc' -o -name '*.h' 2>/dev/null | LC_ALL=C sort)
xgettext --language=C++ --from-code=UTF-8 --sort-by-file --add-location=file --add-comments=TRANSLATORS: \
  --keyword= --keyword=Tr --keyword=TrN:1,2 --keyword=TrMark \
  --flag=Tr:1:pass-c-format --flag=TrN:1:pass-c-format --flag=TrN:2:pass-c-format \
  --flag=Format:1:c-format \
  --package-name=Hamlet --msgid-bugs-address=hamlet@localhost \
  --copyright-holder="Hamlet's authors" -o "$out" "${sources[@]}"
