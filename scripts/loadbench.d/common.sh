# Shared by scripts/loadbench and scripts/profile (sourced, not run): process
# bookkeeping that stops everything at exit, and a qrgate with a bench account.
#
# The sourcing script sets NAME (for messages and the temp dir) before sourcing.

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qrgate-$NAME.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# forget PID: drops a finished process from the kill list (so that a reused id is never hit).
forget() {
  local keep=() x
  for x in "${PIDS[@]}"; do [[ $x == "$1" ]] || keep+=("$x"); done
  PIDS=("${keep[@]}")
}
# bg CMD...: runs CMD in the background and waits for it, so that a signal is handled at
# once (bash runs traps only between foreground commands) and cleanup can end CMD.
bg() {
  "$@" &
  local pid=$! rc=0
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget "$pid"
  return "$rc"
}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$NAME" "$*" >&2; exit 1; }

# start NAME CMD...: starts CMD in the background (stdout/stderr in $WORK/NAME.out/.err),
# waits up to 60 s for its first stdout line "... listening on http://ADDR ..." and sets
# START_PID and START_ADDR.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  START_PID=$!
  PIDS+=("$START_PID")
  local line=""
  for _ in $(seq 600); do
    line=$(head -n 1 "$WORK/$name.out" 2>/dev/null || true)
    [[ $line == *"listening on http://"* ]] && break
    kill -0 "$START_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ $line != *"listening on http://"* ]]; then
    echo "--- $name stderr:" >&2
    tail -n 20 "$WORK/$name.err" >&2 || true
    return 1
  fi
  START_ADDR=${line#*listening on http://}
  START_ADDR=${START_ADDR%% *}
  [[ $START_ADDR == 127.0.0.1:* ]] || { echo "$name listens on $START_ADDR, not loopback" >&2; return 1; }
}

# page PATH [curl args...]: a page of the bench qrgate through the cookie jar: the body on
# stdout, the status in $WORK/status.
page() {
  local path=$1
  shift
  curl -sS --max-time 60 -c "$WORK/cookies" -b "$WORK/cookies" -H "Origin: http://$QRGATE" \
    -o "$WORK/page" -w '%{http_code}' "$@" "http://$QRGATE$path" >"$WORK/status" ||
    die "curl $path failed"
  cat "$WORK/page"
}
csrf_of() { grep -m 1 -o 'name="csrf_token" value="[^"]*"' | sed -n '1s/.*value="\(.*\)"$/\1/p'; }

# start_bench_qrgate BIN [PREFIX...]: starts BIN (under PREFIX, e.g. valgrind, when given)
# on 127.0.0.1 with a temp data dir and the rate limits raised (also the previews' budget
# and the connections per address, which the bench's one address exceeds by design),
# signs up an admin, grants it the enterprise plan and creates a key through the real
# pages; sets QRGATE_PID, QRGATE (address) and KEY.
start_bench_qrgate() {
  local bin=$1
  shift
  say "starting qrgate"
  mkdir -p "$WORK/data"
  start qrgate env \
    QRGATE_ADMIN__EMAILS=bench@example.org \
    QRGATE_PLANS__ENTERPRISE__RATE_PER_SECOND=1000000 \
    QRGATE_PLANS__ENTERPRISE__BURST=1000000 \
    QRGATE_LIMITS__KEYLESS_PER_SECOND=1000000 \
    QRGATE_LIMITS__KEYLESS_BURST=1000000 \
    QRGATE_LIMITS__SIGNUP_BURST=100 \
    QRGATE_RENDER__PREVIEW_MS_PER_SECOND=1000000 \
    QRGATE_RENDER__PREVIEW_PIXELS_IN_FLIGHT=1000000000 \
    QRGATE_SERVER__MAX_CONNECTIONS_PER_IP=1000000 \
    QRGATE_SERVER__PUBLIC_URL=http://qr.bench.invalid \
    "$@" "$bin" --bind 127.0.0.1:0 --data-dir "$WORK/data" || die "qrgate did not start"
  QRGATE_PID=$START_PID
  QRGATE=$START_ADDR
  say "qrgate pid $QRGATE_PID on $QRGATE"

  local csrf password email=bench@example.org
  password="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  say "signing up $email, granting enterprise, creating a key"
  csrf=$(page /signup | csrf_of)
  [[ -n $csrf ]] || die "no csrf_token on /signup"
  page /signup --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" >/dev/null
  [[ $(<"$WORK/status") == 303 ]] || die "POST /signup answered $(<"$WORK/status"): $(grep -o 'class="error"[^<]*<[^<]*' "$WORK/page" | head -n 2)"
  csrf=$(page /admin | csrf_of)
  [[ $(<"$WORK/status") == 200 && -n $csrf ]] || die "GET /admin answered $(<"$WORK/status") (is the account an admin?)"
  page /admin/grant --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$email" \
    --data-urlencode "plan=enterprise" >/dev/null
  grep -q "enterprise plan" "$WORK/page" ||
    die "POST /admin/grant answered $(<"$WORK/status") without the grant notice"
  csrf=$(page /dashboard/api | csrf_of)
  [[ -n $csrf ]] || die "no csrf_token on /dashboard/api"
  page /dashboard/api --data-urlencode "csrf_token=$csrf" --data-urlencode "action=create" \
    --data-urlencode "password=$password" >/dev/null
  KEY=$(grep -m 1 -o '<code id="api-key">[^<]*</code>' "$WORK/page" | sed -n '1s/<[^>]*>//gp')
  [[ $KEY == qrg_* ]] || die "no key on the /dashboard/api answer (status $(<"$WORK/status"))"
  say "key ${KEY:0:10}…"
}
