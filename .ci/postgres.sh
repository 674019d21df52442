# Sourced by .ci/run: start a throwaway PostgreSQL server for the decision-log tests and
# export its URL in SEN_RULES_TEST_POSTGRES_URL. The cluster lives in a temporary folder,
# listens on 127.0.0.1 at a free port (and a unix socket in the same folder), and is
# stopped and deleted when the calling shell exits. Runs the server as the `postgres`
# user when started as root (PostgreSQL refuses to run as root).
# Use it locally too:  . .ci/postgres.sh && PYTHONPATH=src python -m pytest tests/service

sen_rules_pg_bin() {  # a folder with initdb, pg_ctl and createdb (Debian's first)
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
             "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
      echo "$dir"; return
    fi
  done
}

SEN_RULES_PG_BIN="$(sen_rules_pg_bin)"
if [ -z "$SEN_RULES_PG_BIN" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  SEN_RULES_PG_BIN="$(sen_rules_pg_bin)"
fi
if [ -z "$SEN_RULES_PG_BIN" ]; then
  echo "error: PostgreSQL is not installed and cannot be installed here" >&2
  return 1 2>/dev/null || exit 1
fi

SEN_RULES_PG_DIR="$(mktemp -d /tmp/sen-rules-pg.XXXXXX)"
SEN_RULES_PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$SEN_RULES_PG_DIR"
  sen_rules_pg() { runuser -u postgres -- "$@"; }
else
  sen_rules_pg() { "$@"; }
fi

sen_rules_pg "$SEN_RULES_PG_BIN/initdb" -D "$SEN_RULES_PG_DIR/data" -U postgres -A trust \
  --no-sync >"$SEN_RULES_PG_DIR/initdb.log" 2>&1 \
  || { cat "$SEN_RULES_PG_DIR/initdb.log" >&2; return 1 2>/dev/null || exit 1; }
sen_rules_pg "$SEN_RULES_PG_BIN/pg_ctl" -D "$SEN_RULES_PG_DIR/data" -l "$SEN_RULES_PG_DIR/server.log" \
  -o "-h 127.0.0.1 -p $SEN_RULES_PG_PORT -k $SEN_RULES_PG_DIR" -w -t 60 start >/dev/null \
  || { cat "$SEN_RULES_PG_DIR/server.log" >&2; return 1 2>/dev/null || exit 1; }
sen_rules_pg "$SEN_RULES_PG_BIN/createdb" -h 127.0.0.1 -p "$SEN_RULES_PG_PORT" -U postgres sen_rules_test \
  || { return 1 2>/dev/null || exit 1; }

sen_rules_pg_stop() {
  sen_rules_pg "$SEN_RULES_PG_BIN/pg_ctl" -D "$SEN_RULES_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$SEN_RULES_PG_DIR"
}
trap sen_rules_pg_stop EXIT

export SEN_RULES_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$SEN_RULES_PG_PORT/sen_rules_test"
echo "PostgreSQL for the tests: $SEN_RULES_TEST_POSTGRES_URL" >&2
