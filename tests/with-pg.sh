#!/usr/bin/env bash
# Runs a command with SHEQU_TEST_DB set to the test cluster started by pg.sh.
set -euo pipefail
dir=$1; shift
SHEQU_TEST_DB="$(cat "$dir/url")" exec "$@"
