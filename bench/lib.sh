# Sourced by the bench scripts.

# Installs the Debian packages among the arguments that are not installed yet.
bench_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# bench_workspace NAME: a fresh temp dir in TMP (mode 755: tests/pg.sh runs PostgreSQL as postgres
# under it, nginx's workers read from it as nobody), removed on exit together with what the
# script started: the foreground command in CHILD (and its own children: /usr/bin/time passes
# no signals on), the servers in PIDS (TERM, KILL after 5 s) and the PostgreSQL cluster in PG_DIR.
bench_workspace() {
  TMP=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$TMP"
  PIDS=() PG_DIR="" CHILD=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_cleanup() {
  local status=$? pid
  set +e
  if [ -n "$CHILD" ]; then
    for pid in $(pgrep -P "$CHILD"); do kill -TERM "$pid" 2>/dev/null; done
    kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null
  fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [ -n "$PG_DIR" ] && "$ROOT/tests/pg.sh" stop "$PG_DIR" >/dev/null 2>&1
  rm -rf "$TMP"
  exit "$status"
}
