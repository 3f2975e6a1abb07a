#!/usr/bin/env bash
# Installs what is missing and builds what changed. Sourced by start.sh and
# test.sh; running it again is quick and changes nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages the build, the server and the tests need.
BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libcli11-dev libspdlog-dev libfmt-dev libgtest-dev
  libcsv-dev libzip-dev libexpat1-dev libxlsxwriter-dev libgeos-dev libvips-dev
  libfriso-dev friso-dict libopencc-dev libopencc-data
  libpango1.0-dev libcairo2-dev fonts-wqy-microhei
  nodejs npm gzip ca-certificates)
TEST_PACKAGES=(sqlite3 postgresql-15 postgresql-client-15 chromium fonts-wqy-microhei curl)
BENCH_PACKAGES=(wrk nginx-light libbenchmark-dev)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # node and npm may come from elsewhere (a newer Node.js): do not replace them.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local keep=()
    for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || keep+=("$p"); done
    missing=("${keep[@]}")
    [ ${#missing[@]} -eq 0 ] && return 0
  fi
  step "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Newest mtime of the files under the given paths (0 when none).
newest() { { find "$@" -type f -printf '%T@\n' 2>/dev/null || true; } | sort -n | tail -1 | cut -d. -f1; }

build_web() {
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    step "Installing web packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund)
  fi
  local src dist
  src=$(newest web/src web/index.html web/vite.config.js web/package-lock.json web/public)
  dist=$(newest web/dist)
  if [ -z "$dist" ] || [ "${src:-0}" -gt "$dist" ]; then
    step "Building the web console"
    (cd web && npm run build)
    # Precompressed copies, served when the browser accepts gzip.
    find web/dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
      -exec gzip -9 -k -f {} \;
  fi
}

build_server() {
  if [ ! -d data/node_modules ] || [ data/package-lock.json -nt data/node_modules/.package-lock.json ]; then
    step "Installing data packages (GB/T 2260 region codes)"
    (cd data && npm ci --no-audit --no-fund)
  fi
  if [ ! -f build/build.ninja ]; then
    step "Configuring the server build"
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  step "Building the server (ninja: only what changed)"
  ninja -C build
}

setup_main() {
  apt_install "${BUILD_PACKAGES[@]}" "$@"
  build_server
  build_web
}
