#!/bin/sh
# bench/run.sh - builds the benchmarks and runs them, printing Markdown tables on stdout.
#
#   bench/run.sh            the full suite (about 1.5 minutes on a 2-core VM; under 5)
#   bench/run.sh --quick    fewer rounds and records (under a minute)
#   bench/run.sh --only latency|callgrind|e2e|followers   (repeatable) just those parts
#   bench/run.sh --no-build run what is already built
#
# Builds in build/bench (RelWithDebInfo, no sanitizers, no tests) unless SHMLOG_BENCH_BUILD_DIR
# says otherwise. shmlogd and shmlogcat are built too when their sources are there; when one does
# not build, the benchmark that needs it says so and skips it (or, for shmlogcat, uses library
# observers). SHMLOG_BIN_DIR points the benchmarks at other shmlogd/shmlogcat binaries;
# SHMLOG_BENCH_CMAKE_ARGS adds cmake options (e.g. -DSHMLOG_WERROR=OFF while a part in progress
# warns).
# Progress goes to stderr; only the tables go to stdout: bench/run.sh > results.md
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SHMLOG_BENCH_BUILD_DIR:-$root/build/bench}
quick=
only=
do_build=1

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	--no-build) do_build= ;;
	--only)
		[ $# -ge 2 ] || { echo "run.sh: --only needs latency, callgrind, e2e or followers" >&2; exit 64; }
		only="$only $2"
		shift
		;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run.sh: unknown option '$1'; see bench/run.sh --help" >&2
		exit 64
		;;
	esac
	shift
done

wanted() {
	[ -z "$only" ] && return 0
	case " $only " in *" $1 "*) return 0 ;; esac
	return 1
}

jobs=$(nproc 2>/dev/null || echo 2)
if [ -n "$do_build" ]; then
	echo "run.sh: building in $build" >&2
	mkdir -p "$build"
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLOG_BUILD_TESTS=OFF \
		-DSHMLOG_SANITIZE= -DSHMLOG_WERROR=ON ${SHMLOG_BENCH_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 ||
		{ cat "$build/configure.log" >&2; exit 1; }
	cmake --build "$build" -j"$jobs" --target bench_writer_latency bench_e2e bench_followers >&2
	for prog in shmlogd shmlogcat; do
		if ! cmake --build "$build" -j"$jobs" --target "$prog" >"$build/$prog.build.log" 2>&1; then
			# No stale binary: the benchmarks must not measure an old build.
			rm -f "$build/bin/$prog"
			echo "run.sh: $prog did not build (no sources yet, or an error: $build/$prog.build.log)" >&2
		fi
	done
fi
bin=$build/bin

echo "# shmlog benchmarks${quick:+ (--quick)}"
echo
echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
	"Linux $(uname -r) $(uname -m), $(sed -n 's/^MemTotal: *//p' /proc/meminfo) RAM;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M:%S UTC');" \
	"commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
		[ -n "$(git -C "$root" status --porcelain -- libshmlog shmlogd shmlogcat 2>/dev/null)" ] &&
			echo ' + uncommitted changes')"
echo

if wanted latency; then
	echo "run.sh: writer latency" >&2
	if [ -n "$quick" ]; then
		"$bin/bench_writer_latency" --quick
	else
		"$bin/bench_writer_latency" --diag
	fi
fi

if wanted callgrind; then
	echo "## Instructions per call (valgrind --tool=callgrind)"
	echo
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "Skipped: valgrind is not installed (apt-get install valgrind)."
		echo
	else
		calls=100000
		[ -n "$quick" ] && calls=20000
		echo "bench_writer_latency --count CALL --calls $calls: one writer, a consumer draining in" \
			"another process, a ring that holds every record (the writer never waits). Counted:" \
			"the instructions inside the named function, inclusive, divided by the calls; two" \
			"runs to show they repeat. valgrind does not run the vDSO, so clock_gettime() inside" \
			"shmlog_write counts as a plain syscall (about 10 instructions) here."
		echo
		echo "| call | counted function | instructions/call, run 1 | run 2 |"
		echo "|---|---|---|---|"
		cgdir=$(mktemp -d "${TMPDIR:-/tmp}/shmlog-callgrind.XXXXXX")
		for what in write log snprintf; do
			case $what in
			write) fn=shmlog_write ;;
			log) fn=shmlog_log ;;
			snprintf) fn=bench_snprintf_line ;;
			esac
			row="| $what | \`$fn\` |"
			for run in 1 2; do
				out=$(valgrind --tool=callgrind --toggle-collect="$fn" \
					--callgrind-out-file="$cgdir/cg.%p" \
					"$bin/bench_writer_latency" --count "$what" --calls "$calls" 2>/dev/null) ||
					{ row="$row failed: $out |"; continue; }
				pid=$(echo "$out" | sed -n 's/^count: writer pid \([0-9]*\),.*/\1/p')
				total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$cgdir/cg.$pid")
				row="$row $(awk -v t="$total" -v n="$calls" 'BEGIN { printf "%.1f", t / n }') |"
			done
			echo "$row"
		done
		rm -rf "$cgdir"
		echo
	fi
fi

if wanted e2e; then
	echo "run.sh: end to end" >&2
	"$bin/bench_e2e" $quick
fi

if wanted followers; then
	echo "run.sh: followers" >&2
	"$bin/bench_followers" $quick
fi
