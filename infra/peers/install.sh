#!/usr/bin/env bash
# Installs the real peers the integration tests talk to, if they are missing: Debian's Chromium
# (browser tests), FerretDB built with Go (MongoDB protocol), moto server (AWS APIs), aiosmtpd
# (an SMTP sink for the mail tests), schemathesis (the API fuzzer).
# Idempotent and quick when everything is there. Outside CI a peer that cannot be installed is
# reported and its suites skip with a reason; under CI=true the tests then fail.
set -uo pipefail
cd "$(dirname "$0")/../.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif have sudo; then sudo -n "$@"; else return 1; fi; }

if ! have chromium; then
  echo "peers: installing Chromium from Debian's packages"
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null; } ||
    echo "peers: could not install Chromium (needs root and apt-get): browser tests will be skipped"
fi

if have go; then
  bash infra/peers/ferretdb/build.sh || echo "peers: FerretDB did not build: MongoDB-protocol tests will be skipped"
else
  echo "peers: no Go toolchain: FerretDB cannot be built, MongoDB-protocol tests will be skipped"
fi

if ! have moto_server; then
  echo "peers: installing moto server from PyPI"
  python3 -m pip install --quiet 'moto[server]==5.2.1' || echo "peers: could not install moto: AWS tests will be skipped"
fi

if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "peers: installing aiosmtpd from PyPI"
  python3 -m pip install --quiet 'aiosmtpd==1.4.6' || echo "peers: could not install aiosmtpd: SMTP tests will be skipped"
fi

# Needs Python >= 3.11; the fuzz test speaks the 4.x command line.
if ! schemathesis --version 2>/dev/null | grep -q 'version 4\.'; then
  echo "peers: installing schemathesis from PyPI"
  python3 -m pip install --quiet 'schemathesis==4.32.5' || echo "peers: could not install schemathesis: the API fuzz test will be skipped"
fi
exit 0
