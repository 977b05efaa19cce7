#!/usr/bin/env bash
# The test command: installs what a fresh machine lacks, builds the site, runs every test.
#   bash tests/run.sh            all tests
#   bash tests/run.sh -k page    extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium (browser tests drive it with Playwright)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== installing Python test dependencies"
python3 -m pip install -q --disable-pip-version-check -e ".[test]"

echo "== building the site (dist/)"
python3 build.py

echo "== running the tests"
# One BLAS thread: on a shared 2-core machine a threaded BLAS makes small matrix products many times slower.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
python3 -m pytest "$@"
