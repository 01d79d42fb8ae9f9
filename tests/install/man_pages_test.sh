#!/usr/bin/env bash
# man_pages_test.sh - installs the build into a temporary prefix and renders every manual page
# installed there with all groff warnings on (check_man_pages.sh); also checks that each
# function of shmlog.h has a page, and that every page, aliases included, renders with
# "man -l" from / both as installed and in the build tree (docs/man). Environment as for
# install_test.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$PWD/man-test

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	echo "skipped: man or groff missing (scripts/setup-deps.sh installs man-db and groff-base)"
	exit 77
fi
rm -rf "$work"
"$CMAKE" --install "$SHMLOG_BUILD_DIR" --prefix "$work/prefix" \
	${SHMLOG_CONFIG:+--config "$SHMLOG_CONFIG"} >"$work.log" || { cat "$work.log"; exit 1; }
exec "$here/check_man_pages.sh" "$work/prefix/share/man" "$work/prefix/include/shmlog.h" \
	"$SHMLOG_BUILD_DIR/docs/man"
