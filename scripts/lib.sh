# Shared helpers for scripts/run and scripts/test. Source it; do not run it.
# Every helper checks first and only acts when something is missing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRIVATE_PG_DIR="$ROOT/.data/postgres"
PRIVATE_PG_PORT="${EVENTOS_PRIVATE_PG_PORT:-54329}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# scripts/bin first: its wasm-opt skips the tiny files of a split build (see the script).
export PATH="$ROOT/scripts/bin:$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# npm packages: Playwright for the browser tests and binaryen's wasm-opt, which
# cargo-leptos runs on release builds (Debian's older binaryen breaks hydration).
ensure_node_modules() {
  command -v npm >/dev/null || die "Node.js and npm are required; install them with: apt-get install -y nodejs npm"
  local stamp="$ROOT/end2end/node_modules/.installed"
  if [ ! -f "$stamp" ] || [ "$ROOT/end2end/package-lock.json" -nt "$stamp" ]; then
    say "installing npm packages in end2end/"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >&2
    touch "$stamp"
  fi
}

# The release build, in two parts that run side by side (cargo-leptos would build them one
# after the other): the server, with plain cargo, the way cargo-leptos builds it (components
# erased, Cargo.toml: always-erase-components; it reads its settings from Leptos.toml when it
# starts), and the browser bundle with cargo-leptos. The server needs none of the build
# tools, so it can start before they are installed.
start_server_build() {
  say "building the server (release) in the background; its log: target/server-build.log"
  mkdir -p "$ROOT/target"
  # In its own process group, so stopping it on exit stops the compilers it started too.
  RUSTFLAGS="${RUSTFLAGS:-} --cfg erase_components" setsid --wait cargo build --release --features ssr --bin eventos \
    >"$ROOT/target/server-build.log" 2>&1 &
  SERVER_BUILD=$!
  trap 'kill -- -"$SERVER_BUILD" 2>/dev/null || true' EXIT
}

# cargo-leptos builds and splits the bundle; scripts/finish-bundle.mjs then optimises its WASM
# and precompresses it, in a third of the time cargo-leptos takes for both (see the script).
# EVENTOS_WASM_OPT_LATER turns the wasm-opt cargo-leptos calls into a no-op meanwhile.
build_bundle() {
  say "building the browser bundle (release)"
  EVENTOS_WASM_OPT_LATER=1 cargo leptos build --release --split --frontend-only >&2
  node "$ROOT/scripts/finish-bundle.mjs" "$ROOT/target/site"
}

finish_server_build() {
  say "waiting for the server build"
  if ! wait "$SERVER_BUILD"; then
    tail -n 40 "$ROOT/target/server-build.log" >&2
    die "building the server failed (target/server-build.log)"
  fi
  trap - EXIT
}

build_release() {
  start_server_build
  build_bundle
  finish_server_build
}

# Installs Debian package $2 unless the program $1 is already there.
ensure_debian_package() {
  local program=$1 package=$2
  if ! command -v "$program" >/dev/null; then
    say "installing $package from Debian's packages"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >&2 \
      || die "could not install $package; install it with: apt-get install -y $package"
  fi
}

ensure_chromium() { ensure_debian_package /usr/bin/chromium chromium; }

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

# Can we log in as $1 on 127.0.0.1:$2 without a password?
pg_login_works() {
  psql "postgres://$1@127.0.0.1:$2/postgres" -Atqc 'select 1' >/dev/null 2>&1
}

# Sets PG_SERVER_URL (no database name) to a PostgreSQL we may create databases on:
# DATABASE_URL's server when given; else the local server on 5432 (started if it is down);
# else a private cluster under .data/postgres made with this machine's server binaries.
ensure_postgres() {
  command -v psql >/dev/null || die "PostgreSQL is not installed; install it with: apt-get install -y postgresql"
  if [ -n "${DATABASE_URL:-}" ]; then
    PG_SERVER_URL="${DATABASE_URL%/*}"
    return
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_lsclusters >/dev/null; then
    local version
    version=$(pg_lsclusters -h 2>/dev/null | awk '$2 == "main" { print $1 }' | sort -V | tail -n 1)
    if [ -n "$version" ]; then
      say "starting the local PostgreSQL $version cluster"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main start >&2 || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    fi
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    local user
    for user in postgres "$(id -un)" root; do
      if pg_login_works "$user" 5432; then
        PG_SERVER_URL="postgres://$user@127.0.0.1:5432"
        return
      fi
    done
    say "the PostgreSQL on port 5432 does not let us in without a password; using a private cluster"
  fi
  start_private_cluster
}

start_private_cluster() {
  local bin owner
  bin=$(pg_bin_dir) || die "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql"
  # initdb refuses to run as root, so root runs the private cluster as the postgres user.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user for the private cluster; install the postgresql package"
    owner=postgres
  else
    owner=$(id -un)
  fi
  as_owner() { if [ "$owner" = "$(id -un)" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi; }
  if [ ! -f "$PRIVATE_PG_DIR/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in .data/postgres"
    mkdir -p "$PRIVATE_PG_DIR"
    chown "$owner" "$PRIVATE_PG_DIR" "$ROOT/.data"
    chmod 700 "$PRIVATE_PG_DIR"
    as_owner "$bin/initdb" -D "$PRIVATE_PG_DIR" -U "$owner" --auth=trust -E UTF8 >/dev/null
  fi
  if ! pg_isready -q -h 127.0.0.1 -p "$PRIVATE_PG_PORT"; then
    say "starting the private PostgreSQL cluster on port $PRIVATE_PG_PORT"
    as_owner "$bin/pg_ctl" -D "$PRIVATE_PG_DIR" -l "$PRIVATE_PG_DIR/server.log" -w \
      -o "-p $PRIVATE_PG_PORT -c listen_addresses=127.0.0.1 -k $PRIVATE_PG_DIR" start >&2
  fi
  PG_SERVER_URL="postgres://$owner@127.0.0.1:$PRIVATE_PG_PORT"
}

# Creates database $1 on PG_SERVER_URL unless it exists.
ensure_database() {
  local name=$1
  if ! psql "$PG_SERVER_URL/postgres" -Atqc "select 1 from pg_database where datname = '$name'" | grep -q 1; then
    say "creating database $name"
    psql "$PG_SERVER_URL/postgres" -qc "create database \"$name\"" >&2
  fi
}

# Drops and re-creates database $1, for runs that must start from nothing.
recreate_database() {
  local name=$1
  psql "$PG_SERVER_URL/postgres" -qc "drop database if exists \"$name\" with (force)" >&2
  psql "$PG_SERVER_URL/postgres" -qc "create database \"$name\"" >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until $1 answers 200, or gives up after $2 seconds.
wait_for_http() {
  local url=$1 seconds=$2
  for _ in $(seq 1 $((seconds * 2))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

# Re-creates database $1 on PG_SERVER_URL with every migration applied, in file order, so the
# query macros can describe their queries against the current schema.
migrated_schema_database() {
  local name=$1 file
  recreate_database "$name"
  for file in "$ROOT"/migrations/*.sql; do
    PGOPTIONS="-c client_min_messages=warning" psql "$PG_SERVER_URL/$name" -q -v ON_ERROR_STOP=1 -1 -f "$file" >/dev/null \
      || die "applying $(basename "$file") failed"
  done
}

# Compares the query descriptions in $1 with .sqlx/ ($2 = true) or replaces .sqlx/ with them.
compare_or_store_sqlx() {
  local fresh=$1 check=$2
  if [ "$check" = true ]; then
    if ! diff -r -q "$ROOT/.sqlx" "$fresh" >&2; then
      die ".sqlx/ is out of date with the queries or the schema: run scripts/sqlx-prepare and commit .sqlx/"
    fi
    say ".sqlx/ is current ($(ls "$fresh" | wc -l) queries)"
  else
    ls "$fresh"/query-*.json >/dev/null 2>&1 || die "the build described no queries; .sqlx/ left as it was"
    rm -rf "$ROOT/.sqlx"
    mkdir -p "$ROOT/.sqlx"
    cp "$fresh"/query-*.json "$ROOT/.sqlx/"
    say "wrote $(ls "$ROOT/.sqlx" | wc -l) query descriptions to .sqlx/"
  fi
}
