#!/usr/bin/env bash
# Installs what is missing, builds, creates the demo district on first start and
# serves the platform at http://127.0.0.1:8080 (SQLite in var/shequ.db).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_main
DB="${SHEQU_DB:-sqlite:$ROOT/var/shequ.db}"
step "Demo district (created once; existing data is left alone)"
build/shequ demo --db "$DB" --scale district
step "Serving on http://${SHEQU_LISTEN:-127.0.0.1:8080} — demo accounts in README.md, password Shequ-demo-2026"
exec build/shequ serve --db "$DB" --listen "${SHEQU_LISTEN:-127.0.0.1:8080}" --web "$ROOT/web/dist"
