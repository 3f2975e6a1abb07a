#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (also under
# AddressSanitizer+UBSan), the API suite on SQLite and on a throwaway
# PostgreSQL 15 cluster, and the browser tests. Ends with ctest's summary.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_main "${TEST_PACKAGES[@]}"
if [ ! -f build-asan/build.ninja ]; then
  step "Configuring the sanitizer build of the unit tests"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSHEQU_UNIT_ONLY=ON -DSHEQU_SANITIZE=ON
fi
step "Building the sanitizer unit tests"
ninja -C build-asan shequ_unit_tests
mkdir -p tests/artifacts
step "Running every test"
cd build
exec ctest --output-on-failure --timeout 900 -j2 "$@"
