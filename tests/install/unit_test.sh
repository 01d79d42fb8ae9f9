#!/usr/bin/env bash
# unit_test.sh - the systemd unit as installed runs as shipped: `cmake --install` into a temporary
# prefix gives shmlogd@.service naming that prefix's shmlogd, and an instance of it passes
# `systemd-analyze verify` (the executable exists, every directive parses, the manual page named
# by Documentation= is found: MANPATH points at the prefix). The examples it mentions are
# installed, and no logrotate snippet is made active next to shmlogd's own rotation.
# Exits 77 (skipped, with the reason printed) without systemd-analyze.
#
# Environment (set by tests/install/CMakeLists.txt): SHMLOG_BUILD_DIR, CMAKE, SHMLOG_CONFIG.
set -euo pipefail

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: no systemd-analyze on this machine (Debian: apt-get install systemd)"
	exit 77
fi
work=$PWD/unit-test
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
failed=0
fail() {
	printf 'FAIL: %s\n' "$*"
	failed=1
}

"$CMAKE" --install "$SHMLOG_BUILD_DIR" --prefix "$prefix" ${SHMLOG_CONFIG:+--config "$SHMLOG_CONFIG"} \
	>"$work/install.log" || { cat "$work/install.log"; exit 1; }

unit=$(find "$prefix" -name 'shmlogd@.service')
[[ -n $unit ]] || { echo "FAIL: no shmlogd@.service installed"; exit 1; }
echo "installed: ${unit#"$prefix"/}"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[[ $exec_start == "$prefix"/*/shmlogd && -x $exec_start ]] ||
	fail "ExecStart names '$exec_start', not the installed shmlogd under $prefix"
grep -n '@[A-Z_]*@' "$unit" && fail "placeholders left in the unit"

# An instance, as `systemctl enable shmlogd@myapp` would make it.
cp "$unit" "$work/shmlogd@myapp.service"
if out=$(cd "$work" && MANPATH=$prefix/share/man systemd-analyze verify ./shmlogd@myapp.service 2>&1) &&
	[[ -z $out ]]; then
	echo "systemd-analyze verify shmlogd@myapp.service: clean"
else
	fail "systemd-analyze verify shmlogd@myapp.service: ${out:-exit status not 0}"
fi

for f in shmlogd.default shmlogd.logrotate; do
	[[ -n $(find "$prefix" -path "*/examples/$f") ]] || fail "example $f not installed"
done
[[ -z $(find "$prefix" -path '*logrotate.d*') ]] ||
	fail "a logrotate snippet is installed active: it would rotate shmlogd's own rotation again"

((failed == 0)) && echo "PASS"
exit "$failed"
