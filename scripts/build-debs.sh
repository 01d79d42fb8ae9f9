#!/usr/bin/env bash
# build-debs.sh - builds the Debian packages (libshmlog0, libshmlog-dev, shmlog-tools,
# python3-shmlog) with `dpkg-buildpackage -us -uc -b` in a copy of the source tree, so the tree itself stays clean,
# then lists what each package holds and checks the layout.
#
#   scripts/build-debs.sh [--install] [OUTPUT-DIR]      (default OUTPUT-DIR: build/debs)
#
# Installs the build dependencies named in debian/control first (apt-get build-dep; sudo unless
# run as root), and touches apt only when something is missing. With --install it also installs
# the packages on this machine (apt-get install ./*.deb) and runs the installed shmlogcat --help;
# remove them again with: apt-get purge libshmlog0 libshmlog-dev shmlog-tools python3-shmlog
set -euo pipefail

usage() {
	sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

die() {
	printf 'build-debs.sh: %s\n' "$*" >&2
	exit 1
}

install=0
out=""
for arg in "$@"; do
	case $arg in
	--install) install=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	-*)
		printf 'build-debs.sh: unknown option %s; see scripts/build-debs.sh --help\n' "$arg" >&2
		exit 64
		;;
	*) out=$arg ;;
	esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(mkdir -p "${out:-$root/build/debs}" && cd "${out:-$root/build/debs}" && pwd)
jobs=${SHMLOG_JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v apt-get >/dev/null 2>&1 || die "needs a Debian-based system (apt-get, dpkg)"
as_root=()
if ((EUID != 0)); then
	command -v sudo >/dev/null 2>&1 || die "not root and sudo is missing; run this as root"
	as_root=(sudo)
	[[ ${CI:-} == true || ! -t 0 ]] && as_root=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive

# ---- build dependencies: debian/control's Build-Depends, plus dpkg-buildpackage itself ----------
if ! command -v dpkg-checkbuilddeps >/dev/null 2>&1 ||
	! (cd "$root" && dpkg-checkbuilddeps >/dev/null 2>&1); then
	echo "build-debs.sh: installing build dependencies"
	"${as_root[@]}" apt-get update -q || die "apt-get update failed (network or apt sources?)"
	"${as_root[@]}" apt-get install -y -q --no-install-recommends dpkg-dev build-essential ||
		die "apt-get install dpkg-dev build-essential failed"
	"${as_root[@]}" apt-get build-dep -y -q "$root" ||
		die "apt-get build-dep failed for debian/control's Build-Depends"
fi

# ---- a copy of the tree: tracked files and new ones, never build trees -------------------------
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/shmlog-debs.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/shmlog-$version
mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r tar -cf - --no-recursion) | tar -xf - -C "$src"
else
	tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

# ---- build -----------------------------------------------------------------------------------
echo "build-debs.sh: dpkg-buildpackage -us -uc -b in $src"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -n 60 "$work/build.log"; die "dpkg-buildpackage failed (full log above)"; }
cp "$work/build.log" "$out/build.log"
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/

# ---- what the packages hold --------------------------------------------------------------------
for deb in "$out"/*.deb; do
	printf '\n==> %s\n' "${deb##*/}"
	dpkg-deb -f "$deb" Package Version Architecture Depends | sed 's/^/    /'
	dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print "    " $0 }'
done

# ---- the layout Debian expects, checked in an unpacked copy ------------------------------------
unpacked=$work/root
for deb in "$out"/*.deb; do
	dpkg-deb -x "$deb" "$unpacked"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
missing=0
for path in usr/include/shmlog.h \
	"usr/lib/$multiarch/libshmlog.so.0" "usr/lib/$multiarch/libshmlog.so" \
	"usr/lib/$multiarch/libshmlog.a" "usr/lib/$multiarch/pkgconfig/shmlog.pc" \
	"usr/lib/$multiarch/cmake/shmlog/shmlogConfig.cmake" \
	usr/bin/shmlogcat usr/bin/shmlogger usr/share/man/man1/shmlogcat.1.gz \
	usr/share/man/man1/shmlogger.1.gz usr/share/man/man3/shmlog.3.gz \
	usr/share/man/man3/shmlog_open.3.gz 'lib/systemd/system/shmlogd@.service' \
	usr/share/doc/shmlog-tools/examples/shmlogd.default \
	usr/share/doc/shmlog-tools/examples/shmlogd.logrotate \
	usr/lib/python3/dist-packages/shmlog/__init__.py; do
	[[ -e $unpacked/$path ]] || { echo "MISSING: /$path"; missing=1; }
done
if compgen -G "$unpacked/usr/*bin/shmlogd" >/dev/null; then
	[[ -e $unpacked/usr/share/man/man8/shmlogd.8.gz ]] || { echo "MISSING: shmlogd.8"; missing=1; }
else
	echo "note: no shmlogd in the packages (shmlogd/main.c not written yet?)"
fi
"$unpacked/usr/bin/shmlogcat" --help >/dev/null || { echo "FAILED: shmlogcat --help"; missing=1; }
compgen -G "$unpacked/usr/lib/python3/dist-packages/shmlog/_shmlog.cpython-*.so" >/dev/null ||
	{ echo "MISSING: the extension module of python3-shmlog"; missing=1; }
((missing == 0)) || die "the packages miss files Debian users expect (see above)"
printf '\nbuild-debs.sh: packages in %s\n' "$out"

# ---- optionally, install them here -------------------------------------------------------------
if ((install)); then
	"${as_root[@]}" apt-get install -y -q "$out"/*.deb || die "installing the packages failed"
	shmlogcat --help >/dev/null || die "the installed shmlogcat --help failed"
	echo "build-debs.sh: installed; shmlogcat --help runs from $(command -v shmlogcat)"
	# From /, where no shmlog/ directory can shadow the installed package.
	file=$(cd / && /usr/bin/python3 -c 'import shmlog; print(shmlog.__file__)') ||
		die "the installed python3-shmlog does not import"
	[[ $file == /usr/lib/python3/dist-packages/shmlog/* ]] ||
		die "import shmlog found $file, not the one python3-shmlog installed"
	echo "build-debs.sh: import shmlog finds $file"
fi
