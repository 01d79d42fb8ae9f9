#!/usr/bin/env bash
# setup-deps.sh - installs the Debian packages shmlog needs to build, test and benchmark.
#
# Safe to run any number of times: when every package is already installed it touches neither
# apt nor the network and returns at once. Uses sudo only when not run as root.
set -euo pipefail

PACKAGES=(
	build-essential  # gcc, make, libc headers
	cmake            # >= 3.25
	pkg-config       # finds atomic_ops and cmocka
	libatomic-ops-dev # the shared-memory atomics
	libcmocka-dev    # unit tests
	zlib1g-dev       # compressed output
	libzstd-dev
	zstd
	gzip
	clang            # second compiler, sanitizers and libFuzzer
	libclang-rt-dev  # clang's sanitizer and libFuzzer runtimes
	valgrind
	python3          # test and benchmark helpers
	man-db           # tests/install: every manual page renders
	groff-base
	apache2-utils    # ab: load for the examples/prefork-httpd test
	python3-dev      # the Python package shmlog (python/): the extension's headers
	python3-pytest   # its tests
	python3-loguru   # shmlog.loguru_sink, tested end to end
	python3-structlog # shmlog.structlog_factory, tested end to end
	gunicorn         # python/tests: pre-fork workers logging to one ring
	python3-uvicorn  # python/tests: asyncio workers
	python3-fastapi
	python3-httpx    # the tests' HTTP client
	librelp-dev      # shmlogd --forward relp://: librelp's client (optional: compiled out without it)
	rsyslog          # the forwarding tests' receiver, a private rsyslogd on loopback
	rsyslog-relp     # its imrelp input
	openssl          # the forwarding tests make their own CA and certificates
)

die() {
	printf 'setup-deps.sh: %s\n' "$*" >&2
	exit 1
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	die "needs a Debian-based system (apt-get, dpkg-query); install by hand: ${PACKAGES[*]}"
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "setup-deps.sh: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

as_root=()
if ((EUID != 0)); then
	command -v sudo >/dev/null 2>&1 ||
		die "not root and sudo is missing; as root run: apt-get install ${missing[*]}"
	# Never wait for a password nobody will type (CI, or no terminal to type it on).
	if [[ ${CI:-} == true || ! -t 0 ]]; then
		as_root=(sudo -n)
	else
		as_root=(sudo)
	fi
fi

echo "setup-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q ||
	die "apt-get update failed (network or apt sources?); fix it, then rerun scripts/setup-deps.sh"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	die "apt-get install failed for: ${missing[*]}; see apt's message above, then rerun scripts/setup-deps.sh"
echo "setup-deps.sh: done"
