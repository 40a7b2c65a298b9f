#!/usr/bin/env bash
# The Hamlet story, told by running the real hamlet and hamlet-hub on
# loopback. A hub starts; an officer's laptop creates a commune workspace and
# invites three cadres; the hub goes down; for a week the cadres record
# dialogues and concerns (one denunciation, whose reporter only officers can
# read); one cadre's commits reach the hub only by a bundle file; the hub
# comes back, everyone syncs; the officer resolves concerns and prints the
# district report, and writes it as an HTML page; last, it says how to open
# the officer's web app on what the story made.
#
#   demo-story.sh --build DIR [--dir DIR]
#
# --build is a CMake build folder holding cli/hamlet and server/hamlet-hub;
# --dir (default: a new temporary folder) receives the replicas, the hub's
# data, the bundle and the report.
set -euo pipefail
# Four replicas on one machine, each unlocked for every command: the cheaper
# Argon2id limits of phones keep the story quick (hamlet init --kdf).
export HAMLET_KDF="${HAMLET_KDF:-interactive}"

build="" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="${2:-}"; shift 2 ;;
    --dir) dir="${2:-}"; shift 2 ;;
    *) echo "usage: demo-story.sh --build DIR [--dir DIR]" >&2; exit 2 ;;
  esac
done
hamlet="$build/cli/hamlet" hamlet_hub="$build/server/hamlet-hub"
[ -x "$hamlet" ] && [ -x "$hamlet_hub" ] || { echo "demo-story.sh: no cli/hamlet and server/hamlet-hub in '$build'" >&2; exit 2; }
[ -n "$dir" ] || dir=$(mktemp -d /tmp/hamlet-demo.XXXXXX)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
hub_pid=""
trap '[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true' EXIT

bold="" plain=""
if [ -t 1 ]; then bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true); fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Runs hamlet as one person (officer, cadre1, ...), showing the command.
as() {
  local who="$1"; shift
  printf '%s$ hamlet %s%s\n' "$bold" "$*" "$plain" | sed "s/^/[$who] /"
  HAMLET_DB="$dir/$who.db" HAMLET_PASSPHRASE="demo passphrase of $who" "$hamlet" "$@" 2>&1 | sed "s/^/[$who]   /"
  return "${PIPESTATUS[0]}"
}
# The same, where a non-zero status is part of the story.
as_may_fail() { as "$@" || true; }
day() { date -u -d "$1 days ago" +%d/%m/%Y; }

start_hub() {
  local listen="$1"
  "$hamlet_hub" serve --data "$dir/hub" --listen "$listen" > "$dir/hub.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 100); do
    if grep -q "listening on" "$dir/hub.log" 2>/dev/null; then break; fi
    sleep 0.1
  done
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/hub.log")
  [ -n "$port" ] || { echo "demo-story.sh: the hub did not start:" >&2; cat "$dir/hub.log" >&2; exit 1; }
  hub="http://127.0.0.1:$port"
}

say "A sync hub starts at the district office (it stores sealed commits; it cannot read them)"
start_hub 127.0.0.1:0
echo "hub: $hub, data in $dir/hub"

say "The officer creates the commune's workspace and publishes it on the hub"
as officer init
as officer workspace create --name "Xã An Bình"
token=$("$hamlet_hub" token create --data "$dir/hub")
as officer workspace publish --hub "$hub" --token "$token"

say "The officer invites three cadres; each joins with the code (by QR code or text message)"
for n in 1 2 3; do
  as "cadre$n" init
  code=$(HAMLET_DB="$dir/officer.db" HAMLET_PASSPHRASE="demo passphrase of officer" "$hamlet" invite --role cadre | tail -n 1)
  echo "[officer] invite code for cadre$n: $code"
  as_may_fail "cadre$n" join "$code" --hub "$hub"
done
as officer sync
for n in 1 2 3; do
  as "cadre$n" join
  as "cadre$n" sync
done

say "The hub goes down (the link to the hamlets is cut for a week)"
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true; hub_pid=""
echo "hub stopped"

say "Day 1-6: the cadres record dialogues and concerns offline"
as cadre1 dialogue add --date "$(day 6)" --hamlet "Thôn Đông" --kind dialogue --attendees 42 \
  --chaired-by "Bí thư chi bộ" --topics "Đường liên thôn, thủy lợi nội đồng"
as cadre1 concern add --kind request --category infrastructure --hamlet "Thôn Đông" --received "$(day 6)" \
  --due "$(day 2)" --summary "Đường liên thôn xuống cấp, mùa mưa ngập sâu" --reporter-name "Trần Văn Hải"
as cadre2 dialogue add --date "$(day 5)" --hamlet "Thôn Tây" --kind voter_contact --attendees 60 \
  --topics "Chính sách hỗ trợ hộ nghèo"
as cadre1 concern add --kind complaint --category land --hamlet "Thôn Đông" --received "$(day 5)" \
  --summary "Tranh chấp ranh giới đất giữa hai hộ"
as cadre2 concern add --kind denunciation --category public_order --hamlet "Thôn Tây" --received "$(day 4)" \
  --channel letter --summary "Tố cáo lấn chiếm đất công làm quán" --reporter-name "Nguyễn Văn Bình" --reporter-contact "0912 345 678" \
  | tee "$dir/denunciation-receipt.txt"
as cadre2 concern add --kind request --category social_policy --hamlet "Thôn Tây" --received "$(day 4)" \
  --summary "Đề nghị xét hỗ trợ hộ cận nghèo"
as cadre2 model add --name "Dân vận khéo: hiến đất làm đường" --field "Giao thông nông thôn" --status new
as cadre1 dialogue add --date "$(day 3)" --hamlet "Thôn Đông" --kind citizen_reception --attendees 15
as cadre3 dialogue add --date "$(day 2)" --hamlet "Thôn Nam" --kind working_visit --attendees 25
as cadre3 concern add --kind request --category environment --hamlet "Thôn Nam" --received "$(day 2)" \
  --summary "Rác thải tập kết bên kênh"
as cadre3 concern add --kind complaint --category infrastructure --hamlet "Thôn Nam" --received "$(day 1)" \
  --summary "Cầu tràn hư hỏng sau lũ"
as cadre3 model add --name "Tổ hòa giải ở cơ sở" --field "An ninh trật tự" --status maintained

say "Once recorded, the denunciation's reporter is sealed: not even cadre2's own device can read it"
id=$(sed -n 's/.*Recorded concern \([0-9a-f]*\)\..*/\1/p' "$dir/denunciation-receipt.txt")
as cadre2 concern show "${id:0:8}"
as cadre2 status

say "Cadre3 has no link at all: its week goes to the district on an SD card"
as cadre3 bundle export --out "$dir/sd-card-cadre3.hmlb"
"$hamlet_hub" import "$dir/sd-card-cadre3.hmlb" --data "$dir/hub" | sed 's/^/[hub]   /'

say "The hub comes back; everyone syncs"
start_hub "127.0.0.1:$port"
for who in cadre1 cadre2 officer cadre3; do as "$who" sync; done

say "The officer checks the resident's receipt, reads the sealed reporter, and handles concerns"
ticket=$(sed -n 's/.*Ticket: *//p' "$dir/denunciation-receipt.txt" | head -n 1)
code=$(sed -n 's/.*Verification code: *//p' "$dir/denunciation-receipt.txt" | head -n 1)
as officer receipt verify "$ticket" "$code"
as officer concern show "${id:0:8}"
as officer concern edit "${id:0:8}" --within-jurisdiction no
as officer concern transfer "${id:0:8}" --to "Thanh tra huyện"
poor=$(HAMLET_DB="$dir/officer.db" HAMLET_PASSPHRASE="demo passphrase of officer" "$hamlet" concern list --search "cận nghèo" --json \
  | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
waste=$(HAMLET_DB="$dir/officer.db" HAMLET_PASSPHRASE="demo passphrase of officer" "$hamlet" concern list --search "rac thai" --json \
  | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
land=$(HAMLET_DB="$dir/officer.db" HAMLET_PASSPHRASE="demo passphrase of officer" "$hamlet" concern list --search "ranh giới" --json \
  | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
as officer concern resolve "${poor:0:8}" --resolution "Đã đưa vào danh sách hỗ trợ quý IV" --date "$(day 0)"
as officer concern resolve "${waste:0:8}" --resolution "Đội vệ sinh môi trường đã thu gom" --date "$(day 0)"
as officer concern assign "${land:0:8}" --to "Cán bộ địa chính"
as officer concern followup "${land:0:8}" --note "Đã mời hai hộ lên làm việc"
as officer sync
say "What is late, and what falls due within 30 days (the law's deadlines: hamlet settings)"
as officer concern list --overdue
as officer concern list --due-within 30

say "The district report for the week"
as officer report --from "$(day 6)" --to "$(day 0)" --by hamlet
as officer report --from "$(day 6)" --to "$(day 0)" --format html --out "$dir/report.html"

say "Done"
echo "Everything is in $dir: the replicas (*.db), the hub's data (hub/), the SD card bundle and report.html."
echo
echo "The officer's web app on this data: run"
echo "  HAMLET_DB=$dir/officer.db $hamlet ui"
echo "then open http://127.0.0.1:8780/ in a browser on this computer and type the passphrase: demo passphrase of officer"
