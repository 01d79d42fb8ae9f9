#!/usr/bin/env bash
# check_man_pages.sh MANDIR [HEADER [BUILD_MANDIR]] - renders every manual page under MANDIR (a share/man tree)
# with man(1), all groff warnings on, and fails on any warning or error; alias pages (links, or
# ".so") must resolve, also with "man -l" from another directory. With BUILD_MANDIR (the build
# tree's docs/man) as the third argument, "man -l" must render each page there too. With HEADER (shmlog.h), also fails unless every function it declares has a
# section 3 page. Skips the shmlogd(8) page, with a note, when it is not installed yet.
set -euo pipefail

mandir=$1
header=${2:-}
build_mandir=${3:-}
export LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat MANWIDTH=80
failed=0
pages=0

fail() {
	printf 'FAIL: %s\n' "$*"
	failed=1
}

# "man -l FILE" from / (not from the man tree): an alias that only resolves relative to a man3
# directory's parent (".so man3/X.3") renders as an error or nothing there. One rendering gives
# both the warnings and the text. A link renders what it points to: each file once.
declare -A rendered
render_file() {
	local out err real
	real=$(readlink -f "$1")
	[[ -z ${rendered[$real]:-} ]] || return 0
	rendered[$real]=1
	out=$(cd / && man --warnings=w -l "$1" 2>"$errfile") || {
		fail "man -l $1: $(<"$errfile")"
		return
	}
	err=$(<"$errfile")
	[[ -z $err ]] || { fail "man -l $1: $err"; return; }
	[[ $out == *NAME* ]] || fail "man -l $1 from /: no NAME section in what it rendered"
}
errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT

[[ -d $mandir ]] || { fail "no manual pages under $mandir"; exit 1; }

for page in "$mandir"/man[1-8]/*.[1-8]; do
	[[ -e $page ]] || continue
	file=${page##*/}
	name=${file%.*}
	section=${file##*.}
	if ! err=$(man --warnings=w -M "$mandir" "$section" "$name" 2>&1 >/dev/null); then
		fail "$file: man failed: $err"
		continue
	fi
	[[ -z $err ]] || fail "$file: $err"
	# An alias must name a page that exists: man reports a missing one only as an empty page.
	if read -r first <"$page" && [[ $first == .so\ * ]]; then
		[[ -f $mandir/${first#.so } ]] || fail "$file: .so target ${first#.so } is missing"
	fi
	render_file "$page"
	pages=$((pages + 1))
done
echo "$pages manual pages render without warnings"

if [[ -n $build_mandir ]]; then
	n=0
	rendered=()
	for page in "$build_mandir"/*.3; do
		[[ -e $page ]] || { fail "$page: a link to nothing"; continue; }
		render_file "$page"
		n=$((n + 1))
	done
	echo "$n pages of the build tree render with man -l from /"
fi

if [[ ! -f $mandir/man8/shmlogd.8 ]]; then
	echo "note: shmlogd.8 is not installed (shmlogd not built yet): its page was not checked"
fi

if [[ -n $header ]]; then
	# The functions shmlog.h declares: the preprocessor drops comments and macro definitions.
	functions=$("${CC:-cc}" -E -P -x c "$header" | grep -o 'shmlog_[A-Za-z0-9_]*[[:space:]]*(' |
		tr -d '( \t' | sort -u)
	n=0
	for f in $functions; do
		n=$((n + 1))
		[[ -f $mandir/man3/$f.3 ]] || fail "$f is declared in shmlog.h but has no man3/$f.3"
	done
	echo "$n functions of shmlog.h checked for a page"
fi
exit "$failed"
