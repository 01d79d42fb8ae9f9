#!/bin/sh
# bench/run.sh - THE benchmark command: installs what the suite needs, builds, runs it, prints
# Markdown tables on stdout, and writes them with CSV files and PNG plots to results/.
#
#   bench/run.sh            the full suite (about 6 minutes on a 2-core VM; under 10)
#   bench/run.sh --quick    fewer rounds and lines (about 1 minute)
#   bench/run.sh --only latency|callgrind|e2e|followers|python   (repeatable) just those parts
#   bench/run.sh --no-build run what is already built
#   bench/run.sh --no-install   never call apt-get (a variant whose package is missing is
#                           skipped, with the reason)
#   bench/run.sh --results DIR  write CSV, PNG and results.md to DIR (default
#                           results/<date>-<time>, with results/latest pointing at it)
#   bench/run.sh --keep-page-reporting   leave a VM's free page reporting as it is (below)
#
# Installs with apt-get (as root, or with sudo -n) what is missing of: the build dependencies
# (scripts/setup-deps.sh, when cmake or libatomic_ops is missing), g++, valgrind, gnuplot-nox,
# rsyslog, libspdlog-dev, libfmt-dev, python3-dev, python3-loguru, python3-structlog. A package
# that cannot be installed skips what needs it, with the reason printed. Builds in build/bench
# (RelWithDebInfo, no sanitizers, no tests, warnings as errors) unless SHMLOG_BENCH_BUILD_DIR
# says otherwise; shmlogd and shmlogcat too, and a benchmark that needs one that does not build
# says so (no stale binary is used). The Python part (bench/python/run.py, under
# /usr/bin/python3) needs the shmlog Python package built in the same tree (build/bench/python);
# when it does not build, that part is skipped with the reason.
# SHMLOG_BIN_DIR points the benchmarks at other shmlogd/shmlogcat binaries;
# SHMLOG_BENCH_CMAKE_ARGS adds cmake options.
# Progress goes to stderr; only the tables go to stdout: bench/run.sh > results.md
#
# Free page reporting: on a VM whose virtio-balloon reports free memory (Firecracker and others),
# the guest hands every freed block back to the host, and the next write into such a page costs
# the host a fault. Page-cache writes then swing 2-3x from run to run, and only the variants fast
# enough to be limited by the page-cache copy feel it (shmlogd into JSON, the ceilings), so the
# figures measure the host more than the variants. When this kernel has the knob for it
# (/sys/module/page_reporting/parameters) and we are root, the run stops reporting (or, where the
# kernel allows only that, delays it) and puts the setting back at exit; the header says what was
# done and the last lines how much was reported all the same. --keep-page-reporting leaves it alone.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SHMLOG_BENCH_BUILD_DIR:-$root/build/bench}
quick=
only=
do_build=1
do_install=1
results=
keep_reporting=

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	--no-build) do_build= ;;
	--no-install) do_install= ;;
	--keep-page-reporting) keep_reporting=1 ;;
	--only)
		[ $# -ge 2 ] || { echo "run.sh: --only needs latency, callgrind, e2e, followers or python" >&2; exit 64; }
		only="$only $2"
		shift
		;;
	--results)
		[ $# -ge 2 ] || { echo "run.sh: --results needs a directory" >&2; exit 64; }
		results=$2
		shift
		;;
	-h | --help)
		sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'
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

say() { echo "run.sh: $*" >&2; }

# ---- packages -------------------------------------------------------------------------------

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }

as_root=
install_pkgs() {
	# apt-get install, as root or with sudo -n; returns apt-get's status.
	DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends "$@" \
		>>"$apt_log" 2>&1
}

if [ -n "$do_install" ] && command -v apt-get >/dev/null 2>&1; then
	mkdir -p "$build"
	apt_log=$build/apt.log
	: >"$apt_log"
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			as_root="sudo -n"
		else
			as_root=none
		fi
	fi
	if ! command -v cmake >/dev/null 2>&1 || ! pkg-config --exists atomic_ops 2>/dev/null; then
		say "build dependencies missing: running scripts/setup-deps.sh"
		"$root/scripts/setup-deps.sh" >&2 || say "scripts/setup-deps.sh failed; the build may fail"
	fi
	missing=
	# python3-dev: the Python package's build; python3-loguru, python3-structlog: its alternatives
	for pkg in g++ valgrind gnuplot-nox rsyslog libspdlog-dev libfmt-dev python3-dev python3-loguru \
		python3-structlog; do
		installed "$pkg" || missing="$missing $pkg"
	done
	if [ -n "$missing" ]; then
		if [ "$as_root" = none ]; then
			say "not root and no password-less sudo: not installing$missing (what needs them is skipped)"
		else
			say "installing$missing (log: $apt_log)"
			# shellcheck disable=SC2086 # word splitting of the package list is wanted
			if ! install_pkgs $missing; then
				$as_root apt-get update -q >>"$apt_log" 2>&1 || true
				for pkg in $missing; do
					install_pkgs "$pkg" ||
						say "could not install $pkg (see $apt_log): what needs it is skipped"
				done
			fi
		fi
	fi
fi

# ---- build ----------------------------------------------------------------------------------

jobs=$(nproc 2>/dev/null || echo 2)
py_target=shmlog_python # python/CMakeLists.txt: the extension _shmlog, and the .py files beside it
if [ -n "$do_build" ]; then
	say "building in $build"
	mkdir -p "$build"
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLOG_BUILD_TESTS=OFF \
		-DSHMLOG_SANITIZE= -DSHMLOG_WERROR=ON ${SHMLOG_BENCH_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 ||
		{ cat "$build/configure.log" >&2; exit 1; }
	cmake --build "$build" -j"$jobs" --target bench_writer_latency bench_e2e bench_followers >&2
	for prog in shmlogd shmlogcat bench_spdlog_async; do
		if ! cmake --build "$build" -j"$jobs" --target "$prog" >"$build/$prog.build.log" 2>&1; then
			# No stale binary: the benchmarks must not measure an old build.
			rm -f "$build/bin/$prog"
			say "$prog did not build (no sources or packages yet, or an error: $build/$prog.build.log)"
		fi
	done
	if wanted python; then
		# The Python package: python/CMakeLists.txt's extension target, built into
		# $build/python/shmlog. No stale package either.
		if ! cmake --build "$build" -j"$jobs" --target "$py_target" >"$build/python.build.log" 2>&1; then
			rm -rf "$build/python/shmlog"
			say "the shmlog Python package did not build (no python/ yet, or an error: $build/python.build.log)"
		fi
	fi
fi
bin=$build/bin

# ---- results --------------------------------------------------------------------------------

if [ -z "$results" ]; then
	stamp=$(date -u '+%Y%m%d-%H%M%S')
	results=$root/results/$stamp
	mkdir -p "$results"
	ln -sfn "$stamp" "$root/results/latest"
else
	mkdir -p "$results"
fi
results=$(cd "$results" && pwd)
say "results (CSV, PNG, results.md) in $results"

# Everything printed on stdout from here on also lands in results.md.
exec 3>&1
fifo_dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlog-run.XXXXXX")
mkfifo "$fifo_dir/out"
tee "$results/results.md" <"$fifo_dir/out" >&3 &
tee_pid=$!
exec >"$fifo_dir/out"
knobs=/sys/module/page_reporting/parameters
restore=
finish() {
	# shellcheck disable=SC2086 # "file value" pairs
	[ -n "$restore" ] && set -- $restore && while [ $# -ge 2 ]; do
		echo "$2" >"$knobs/$1" 2>/dev/null
		shift 2
	done
	exec >&3
	wait "$tee_pid" 2>/dev/null || true
	rm -rf "$fifo_dir"
}
trap finish EXIT
trap 'exit 130' INT TERM # so that finish runs (and puts the reporting setting back)

# Holding reporting back: page_reporting_order above the allocator's largest block (order 10
# on x86-64) leaves no free block large enough to report, where this kernel accepts such a value
# (read back to be sure). Else min_free_ms, which only delays part of it: measured here, 142 of
# 200 MiB freed were still reported within 3 s with min_free_ms 120000, and 1028 of 1000 MiB
# with order 10 (large frees merge into order-10 blocks), against none with order 11.
set_knob() { # NAME VALUE: set it, and remember the old value for finish; fails if not taken
	[ -w "$knobs/$1" ] || return 1
	was=$(cat "$knobs/$1")
	echo "$2" >"$knobs/$1" 2>/dev/null || return 1
	if [ "$(cat "$knobs/$1")" != "$2" ]; then
		echo "$was" >"$knobs/$1" 2>/dev/null
		return 1
	fi
	restore="$restore $1 $was"
	reporting_was=$was
}
reported_kib() { cat "$knobs/reported_kib" 2>/dev/null || echo; }
if [ ! -e "$knobs/page_reporting_order" ]; then
	reporting="no tunable free page reporting (no $knobs)"
elif [ -n "$keep_reporting" ]; then
	reporting="free page reporting left as it is (page_reporting_order $(cat "$knobs/page_reporting_order"), --keep-page-reporting)"
elif set_knob page_reporting_order 11; then
	reporting="free page reporting held back for the run (page_reporting_order $reporting_was -> 11, restored at exit)"
elif [ -e "$knobs/min_free_ms" ] && set_knob min_free_ms 120000; then
	reporting="free page reporting partly held back for the run (min_free_ms $reporting_was -> 120000, restored at exit; this kernel refuses page_reporting_order 11)"
else
	reporting="free page reporting left on (page_reporting_order $(cat "$knobs/page_reporting_order"); cannot change it: not root?)"
fi
reported_at_start=$(reported_kib)
say "$reporting"

start=$(date +%s)
echo "# shmlog benchmarks${quick:+ (--quick)}"
echo
echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
	"Linux $(uname -r) $(uname -m), $(sed -n 's/^MemTotal: *//p' /proc/meminfo) RAM;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M:%S UTC');" \
	"commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
		[ -n "$(git -C "$root" status --porcelain -- libshmlog shmlogd shmlogcat bench python 2>/dev/null)" ] &&
			echo ' + uncommitted changes');" \
	"command: bench/run.sh${quick:+ $quick}${keep_reporting:+ --keep-page-reporting}; $reporting"
echo

if wanted latency; then
	say "writer latency"
	if [ -n "$quick" ]; then
		"$bin/bench_writer_latency" --quick --csv "$results"
	else
		"$bin/bench_writer_latency" --diag --csv "$results"
	fi
fi

if wanted callgrind; then
	echo "## Instructions per call (valgrind --tool=callgrind)"
	echo
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "Skipped: valgrind is not installed (apt-get install valgrind)."
		echo
	else
		say "callgrind"
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
		for what in write log fields snprintf; do
			case $what in
			write) fn=shmlog_write ;;
			log) fn=shmlog_log ;;
			fields) fn=shmlog_log_fields ;;
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
	say "end to end"
	"$bin/bench_e2e" $quick --csv "$results"
fi

if wanted followers; then
	say "followers"
	"$bin/bench_followers" $quick
fi

if wanted python; then
	# Debian's interpreter: it sees python3-loguru and python3-structlog (a pyenv python on
	# PATH does not).
	py=/usr/bin/python3
	py_why=
	if [ ! -x "$py" ]; then
		py_why="no $py"
	elif ! "$py" -c 'import loguru, structlog' 2>/dev/null; then
		py_why="$py cannot import loguru and structlog (apt-get install python3-loguru python3-structlog)"
	elif ! PYTHONPATH=$build/python "$py" -c 'import shmlog' >"$build/python.import.log" 2>&1; then
		py_why="the shmlog Python package is not built in $build/python ($(tail -n1 "$build/python.import.log"))"
	elif [ ! -x "${SHMLOG_BIN_DIR:-$bin}/shmlogd" ] || [ ! -x "${SHMLOG_BIN_DIR:-$bin}/shmlogcat" ]; then
		py_why="no shmlogd or shmlogcat in ${SHMLOG_BIN_DIR:-$bin} (see $build/shmlogd.build.log, $build/shmlogcat.build.log)"
	fi
	if [ -n "$py_why" ]; then
		echo "## Python (issue 15)"
		echo
		echo "Skipped: $py_why."
		echo
	else
		say "python"
		PYTHONPATH=$build/python "$py" "$root/bench/python/run.py" $quick --bin "${SHMLOG_BIN_DIR:-$bin}" \
			--csv "$results"
	fi
fi

# ---- plots ----------------------------------------------------------------------------------

if command -v gnuplot >/dev/null 2>&1; then
	if [ -f "$results/e2e_summary.csv" ] || [ -f "$results/latency_summary.csv" ]; then
		say "plots"
		if gnuplot -e "dir='$results'" "$root/bench/plots.gp" 2>"$results/gnuplot.log"; then
			echo "Plots: $(cd "$results" && ls ./*.png 2>/dev/null | sed 's|^\./||' | tr '\n' ' ')in $results"
		else
			echo "Plots: gnuplot failed (see $results/gnuplot.log)"
		fi
		echo
	fi
	if [ -f "$results/python.csv" ]; then
		say "python plots"
		if gnuplot -e "dir='$results'" "$root/bench/python/plots.gp" 2>"$results/gnuplot-python.log"; then
			echo "Python plots: python_per_call.png python_e2e.png in $results"
		else
			echo "Python plots: gnuplot failed (see $results/gnuplot-python.log)"
		fi
		echo
	fi
else
	echo "Plots skipped: gnuplot is not installed (apt-get install gnuplot-nox)."
	echo
fi
if [ -n "$reported_at_start" ] && [ -n "$(reported_kib)" ]; then
	echo "Free page reporting during the run: $((($(reported_kib) - reported_at_start) / 1024)) MiB handed back to the host."
	echo
fi
echo "Whole run: $(($(date +%s) - start)) s; CSV, plots and this text in $results"
