#!/usr/bin/env bash
# install_test.sh - installs the build into a temporary prefix and uses it as people outside the
# tree do: one program built with `pkg-config --cflags --libs shmlog`, two with a CMake project
# that calls find_package(shmlog CONFIG) (shmlog::shmlog and shmlog::shmlog_static), all logging
# to one ring that the installed shmlogcat then shows. Also checks that shmlog.h is the only
# header installed and keeps libatomic_ops private, that libshmlog.so exports only shmlog_*
# symbols, and that every installed manual page renders (check_man_pages.sh).
#
# Environment (set by tests/install/CMakeLists.txt): SHMLOG_BUILD_DIR, SHMLOG_SRC_DIR, CMAKE, CC,
# NM, SHMLOG_CONFIG (build configuration, may be empty), SHMLOG_EXTRA_FLAGS (sanitizer flags the
# library was built with: its users need them too). Works in the current directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$PWD/install-test
ring="t-install-$$"
failed=0

fail() {
	printf 'FAIL: %s\n' "$*"
	failed=1
}
step() { printf '==> %s\n' "$*"; }

cleanup() { rm -f "/dev/shm/shmlog.$ring"; }
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step "cmake --install into $prefix"
"$CMAKE" --install "$SHMLOG_BUILD_DIR" --prefix "$prefix" ${SHMLOG_CONFIG:+--config "$SHMLOG_CONFIG"} \
	>"$work/install.log" || { cat "$work/install.log"; exit 1; }

pc=$(find "$prefix" -name shmlog.pc)
[[ -n $pc ]] || { echo "FAIL: no shmlog.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")

step "headers: shmlog.h alone, without libatomic_ops"
headers=$(cd "$prefix/include" && find . -type f -o -type l | sort)
[[ $headers == ./shmlog.h ]] || fail "installed headers are not just shmlog.h: $headers"
if grep -n 'atomic_ops\|AO_' "$prefix/include/shmlog.h"; then
	fail "shmlog.h mentions libatomic_ops: it must stay a private detail"
fi

step "libshmlog.so exports only shmlog_*"
stray=$("${NM:-nm}" -D --defined-only "$libdir/libshmlog.so" | awk '$2 != "A" && $3 !~ /^shmlog_/')
[[ -z $stray ]] || fail "libshmlog.so exports symbols outside shmlog_*: $stray"
exported=$("${NM:-nm}" -D --defined-only "$libdir/libshmlog.so" | awk '$2 != "A"' | wc -l)
echo "$exported symbols, all shmlog_*"
soname=$(readelf -d "$libdir/libshmlog.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[[ $soname == libshmlog.so.0 ]] || fail "SONAME is '$soname', not libshmlog.so.0"

read -r -a flags <<<"${SHMLOG_EXTRA_FLAGS:-}"

step "a program built with pkg-config --cflags --libs shmlog"
export PKG_CONFIG_PATH=$libdir/pkgconfig
read -r -a pc_flags <<<"$(pkg-config --cflags --libs shmlog)"
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror "${flags[@]}" "$here/external/app.c" \
	"${pc_flags[@]}" -Wl,-rpath,"$libdir" -o "$work/app_pkgconfig"
"$work/app_pkgconfig" "$ring" pkg-config || fail "the pkg-config program failed"
# Static linking is what Libs.private is for: the same flags, with the archive for -lshmlog.
static_libs=$(pkg-config --static --libs shmlog)
if [[ $static_libs == *-latomic_ops* ]]; then
	read -r -a static_flags <<<"${static_libs/-lshmlog/$libdir/libshmlog.a}"
	"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror "${flags[@]}" "$here/external/app.c" \
		$(pkg-config --cflags shmlog) "${static_flags[@]}" -o "$work/app_pkgconfig_static"
	"$work/app_pkgconfig_static" "$ring" pkg-config-static ||
		fail "the static pkg-config program failed"
else
	fail "pkg-config --static --libs shmlog does not ask for -latomic_ops: $static_libs"
fi

step "README: a program built for a private prefix finds libshmlog by rpath or LD_LIBRARY_PATH"
# README's sentence: without ldconfig (which only /usr/local and the like get), a program linked
# without -rpath cannot start (the loader's exit 127); -Wl,-rpath,PREFIX/lib or
# LD_LIBRARY_PATH=PREFIX/lib makes it run. (ldconfig itself would change the machine: not run.)
"$CC" -std=c99 "${flags[@]}" "$here/external/app.c" "${pc_flags[@]}" -o "$work/app_no_rpath"
status=0
"$work/app_no_rpath" "$ring" no-rpath 2>"$work/no_rpath.err" || status=$?
if [[ $status -ne 127 ]] || ! grep -q 'libshmlog.so.0: cannot open shared object file' \
	"$work/no_rpath.err"; then
	fail "without rpath: exit $status, not the loader's 127 the README describes: $(cat "$work/no_rpath.err")"
fi
LD_LIBRARY_PATH=$libdir "$work/app_no_rpath" "$ring" pkg-config-ld-library-path ||
	fail "LD_LIBRARY_PATH=$libdir did not make it run"

step "programs built with find_package(shmlog CONFIG)"
"$CMAKE" -S "$here/external" -B "$work/external" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="${SHMLOG_EXTRA_FLAGS:-}" \
	-DCMAKE_EXE_LINKER_FLAGS="${SHMLOG_EXTRA_FLAGS:-}" >"$work/external.log" ||
	{ cat "$work/external.log"; exit 1; }
"$CMAKE" --build "$work/external" >>"$work/external.log" || { cat "$work/external.log"; exit 1; }
"$work/external/app_shared" "$ring" cmake-shared || fail "the shmlog::shmlog program failed"
"$work/external/app_static" "$ring" cmake-static || fail "the shmlog::shmlog_static program failed"
if ldd "$work/external/app_static" | grep -q libshmlog; then
	fail "app_static links libshmlog.so, not libshmlog.a"
fi

step "the installed shmlogcat shows their records"
if [[ -x $prefix/bin/shmlogcat ]]; then
	out=$("$prefix/bin/shmlogcat" "$ring")
	printf '%s\n' "$out"
	for how in pkg-config pkg-config-static pkg-config-ld-library-path cmake-shared cmake-static; do
		grep -q "external\[[0-9]*/[0-9]*\] hello from $how built_with=$how\$" <<<"$out" ||
			fail "no record from the $how program"
	done
	[[ $(wc -l <<<"$out") -eq 5 ]] || fail "expected 5 records"
else
	fail "shmlogcat is not installed"
fi

step "manual pages"
"$here/check_man_pages.sh" "$prefix/share/man" "$prefix/include/shmlog.h" || failed=1

exit "$failed"
