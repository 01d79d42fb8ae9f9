#!/usr/bin/env bash
# test.sh - builds shmlog and runs the whole test suite: a plain build, the collector's and the
# reader's tests again with shmlogd and shmlogcat under valgrind's memcheck, an ASan+UBSan build,
# a ThreadSanitizer build of the ring tests, the fuzzers (a clang build that replays their corpus
# and fuzzes each for a while), and the Debian packages (built, installed, run, purged).
#
#   scripts/test.sh                  everything (plain, valgrind, asan, tsan, fuzz, debs)
#   scripts/test.sh --quick          the plain build only
#   scripts/test.sh --only fuzz,asan those phases only
#
# Environment: SHMLOG_JOBS (build parallelism, default: nproc), CI=true (no colours, no prompts).
# Exit status: 0 when every build configured, compiled and passed its tests; 1 otherwise.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/test.sh [--quick | --only PHASE[,PHASE]...]

Builds shmlog and runs its tests with ctest, in these phases:
  plain        build/plain, RelWithDebInfo; and build/release, Release (-O3), compiled only
  valgrind     build/plain again: a subset of the shmlogd and shmlogcat tests with both programs
               under valgrind memcheck; any memcheck error or definite leak fails it (skipped
               with --quick, or with a reason when valgrind is missing)
  asan         build/asan, AddressSanitizer + UndefinedBehaviorSanitizer (skipped with --quick)
  tsan         build/tsan, ThreadSanitizer, the ring tests (test_ring_*) (skipped with --quick)
  fuzz         build/fuzz, clang, libFuzzer targets of tests/fuzz: corpus replay, then 20 s of
               fuzzing each (skipped with --quick, or with a reason when clang/libFuzzer is
               missing)
  debs         build/debs, dpkg-buildpackage, install, run the installed shmlogcat, import
               the installed Python package, purge
               (skipped with --quick, or when not root and without password-less sudo)

  --quick               run only the plain phase
  --only PHASE[,PHASE]  run only these phases (plain, valgrind, asan, tsan, fuzz, debs), in
                        the order above; valgrind builds build/plain if needed
  -h, --help            show this help

Environment: SHMLOG_JOBS=N compiles with N jobs (default: nproc); CI=true disables colours.
EOF
}

all_phases=(plain valgrind asan tsan fuzz debs)
phases=("${all_phases[@]}")
quick=0 only=""
while (($#)); do
	case $1 in
	--quick) quick=1 ;;
	--only)
		if (($# < 2)); then
			printf 'test.sh: --only needs a list of phases; see scripts/test.sh --help\n' >&2
			exit 64
		fi
		only=$2
		shift
		;;
	--only=*) only=${1#--only=} ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf 'test.sh: unknown option %s; see scripts/test.sh --help\n' "$1" >&2
		exit 64
		;;
	esac
	shift
done
if ((quick)) && [[ -n $only ]]; then
	printf 'test.sh: --quick and --only cannot be combined (--quick is --only plain)\n' >&2
	exit 64
fi
((quick)) && only=plain
if [[ -n $only ]]; then
	IFS=, read -r -a wanted <<<"$only"
	((${#wanted[@]})) || {
		printf 'test.sh: --only needs a list of phases; see scripts/test.sh --help\n' >&2
		exit 64
	}
	for p in "${wanted[@]}"; do
		if [[ " ${all_phases[*]} " != *" $p "* ]]; then
			printf 'test.sh: unknown phase %s for --only: use %s\n' "$p" \
				"$(IFS=,; echo "${all_phases[*]}")" >&2
			exit 64
		fi
	done
	phases=()
	for p in "${all_phases[@]}"; do
		[[ ",$only," == *",$p,"* ]] && phases+=("$p")
	done
fi

# wants PHASE: whether PHASE runs this time.
wants() { [[ " ${phases[*]} " == *" $1 "* ]]; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

jobs=${SHMLOG_JOBS:-$(nproc 2>/dev/null || echo 2)}
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
	printf 'test.sh: SHMLOG_JOBS=%s is not a positive number\n' "$jobs" >&2
	exit 64
fi

if [[ ${CI:-} == true || ! -t 1 || -n ${NO_COLOR:-} ]]; then
	bold='' red='' green='' reset=''
	color_opt=(-DCMAKE_COLOR_DIAGNOSTICS=OFF)
else
	bold=$'\e[1m' red=$'\e[31m' green=$'\e[32m' reset=$'\e[0m'
	color_opt=(-DCMAKE_COLOR_DIAGNOSTICS=ON)
fi

say() { printf '%s==> %s%s\n' "$bold" "$*" "$reset"; }

"$root/scripts/setup-deps.sh"

# Sanitizer settings for every process the tests start (children inherit them).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

results=()
failed=0
ctest_select=() # extra ctest arguments for the next run_build (e.g. -R REGEX)

# record NAME STATUS SUMMARY: the phase's summary line ("[NAME] SUMMARY", or "[NAME] FAILED:
# SUMMARY; STATUS" unless STATUS is ok), and a failed run when it is not.
record() {
	local name=$1 status=$2 summary=$3

	[[ $status == ok ]] || summary="${summary:+$summary; }$status"
	if [[ $status == ok ]]; then
		results+=("${green}[$name] ${summary}${reset}")
	else
		results+=("${red}[$name] FAILED: ${summary}${reset}")
		failed=1
	fi
	say "[$name] ${summary}"
}

# ctest_summary LOG: ctest's "N% tests passed, ..." line of LOG, or nothing.
ctest_summary() {
	if [[ -f $1 ]]; then
		grep -E '^[0-9]+% tests passed|No tests were found' "$1" | tail -n 1 || true
	fi
}

# configure_and_build NAME DIR CMAKE-ARGS...: configures and builds DIR; sets build_status to ok,
# "configure failed" or "build failed".
configure_and_build() {
	local name=$1 dir=$2
	shift 2

	build_status=ok
	say "[$name] configure $dir"
	if ! cmake -S "$root" -B "$dir" "${color_opt[@]}" "$@"; then
		build_status="configure failed"
	else
		say "[$name] build ($jobs jobs)"
		cmake --build "$dir" --parallel "$jobs" || build_status="build failed"
	fi
}

# run_build NAME DIR CMAKE-ARGS...: configure, build and test one tree; records one summary line.
run_build() {
	local name=$1 dir=$2
	shift 2
	local log="$dir/ctest.log" status
	local select=("${ctest_select[@]}")

	configure_and_build "$name" "$dir" "$@"
	status=$build_status
	if [[ $status == ok ]]; then
		say "[$name] test"
		# -j2: multi-process tests hold the ctest resource lock "ring-heavy", so they never
		# run next to each other. A tree with no tests at all is a failure, not a pass.
		if ! ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 \
			"${select[@]}" 2>&1 |
			tee "$log"; then
			status="tests failed"
		fi
	fi
	record "$name" "$status" "$(ctest_summary "$log")"
}

# The valgrind phase: the collector's and the reader's tests again, in build/plain, with every
# shmlogd and shmlogcat they start run by memcheck (SHMLOG_TEST_WRAPPER, tests/common/test_wrapper.h).
# A memcheck error or a definite/indirect leak makes the program exit 99, which fails the test,
# and leaves a report in build/plain/valgrind/PID.log; a non-empty report fails the phase too,
# which also catches the programs that end by a signal (a follower stopped with SIGTERM).
# "Still reachable" is not an error: what a program killed by a signal, or exiting from main,
# still points at (stdio, getgrnam's cache) is no leak. "Possibly lost" is not one either: it is
# how memcheck reports interior pointers. Programs run about 20-50x slower: SHMLOG_TEST_SLOW=5
# makes the harnesses wait longer and the tests that count on the collector's speed pace their
# writers to match. About 2 minutes on 2 cores.
valgrind_tests=(
	# shmlogd: drains text and JSON from 8 writers; rotates by size with gzip and zstd, and by
	# time; reopens on SIGHUP; loss reports; disk full (as root); crash at every step of the write,
	# rotate and compress sequence then restart and recovery; takeover from a SIGKILLed one;
	# one output file for two rings refused; bad options and outputs.
	test_shmlogd_keeps_every_record_of_8_writers_in_order
	test_shmlogd_rotates_by_size_keeping_3_compressed_files
	test_shmlogd_rotates_by_time_and_deletes_old_files
	test_shmlogd_reopens_on_sighup_after_logrotate_renames
	test_shmlogd_writes_loss_reports_as_records
	test_shmlogd_holds_records_while_the_disk_is_full
	test_shmlogd_counts_only_the_lines_it_wrote_when_stopped_on_a_full_disk
	test_shmlogd_recovers_from_a_crash_at_.*
	test_shmlogd_refuses_a_second_collector_then_takes_over_from_a_dead_one
	test_shmlogd_refuses_an_output_file_another_shmlogd_writes
	test_shmlogd_says_once_when_its_ring_is_removed_and_keeps_draining
	# the interval sync thread, slowed by a test hook: draining goes on; SIGHUP while it runs
	test_shmlogd_keeps_draining_while_an_interval_sync_is_slow
	test_shmlogd_syncs_the_old_file_at_sighup_while_a_sync_runs
	test_shmlogd_refuses_bad_outputs_and_options_clearly
	# shmlogcat: dump in every format with every filter; follow; a lapped follower; --list and
	# --stats; every open error; reading, stats and a refused --set-level as another user.
	test_shmlogcat_dump_and_filters_select_exactly_the_right_records
	test_shmlogcat_follow_shows_a_record_within_50ms_of_its_commit
	test_shmlogcat_lapped_follower_reports_exactly_what_it_lost
	test_shmlogcat_list_and_stats_show_rings_writers_and_collector
	test_shmlogcat_open_errors_exit_with_one_line_messages
	test_shmlogcat_set_level_without_write_permission_fails_clearly
	# Left out, as valgrind's slowness breaks what they check, not the programs:
	# - test_shmlogd_survives_sigkill_without_loss_or_duplicates: each restart under valgrind
	#   takes longer than the 3 s a writer waits for a collector, so writers drop, as designed;
	# - test_shmlogd_sleeps_when_idle: measures shmlogd's CPU time over 10 idle seconds;
	# - test_shmlogcat_follow_exits_quietly_when_its_reader_goes_away: a slowed follower of a
	#   busy ring is lapped and says so on stderr, which that test forbids;
	# - test_shmlogcat_set_level_reaches_running_writers: watches for windows shorter than
	#   valgrind's start-up;
	# - test_shmlogcat_usage_errors_point_to_help: getopt names the program after argv[0],
	#   which is the full path under valgrind (fuzz_options covers the option parsers).
)
valgrind_slow=5

valgrind_skip() {
	results+=("[valgrind] skipped: $*")
	say "[valgrind] skipped: $*"
}

run_valgrind() {
	local dir=build/plain reports=build/plain/valgrind log=build/plain/ctest-valgrind.log
	local status=ok summary regex wrapper f nreports=0

	if ! command -v valgrind >/dev/null; then
		valgrind_skip "no valgrind (scripts/setup-deps.sh installs it)"
		return
	fi
	# Up to date already after the plain phase; built here when the phase runs alone.
	if ! wants plain; then
		configure_and_build valgrind "$dir" "${plain_args[@]}"
		status=$build_status
	fi
	if [[ $status == ok ]]; then
		rm -rf "$reports"
		mkdir -p "$reports"
		chmod 1777 "$reports" # tests run some programs as nobody
		regex="^($(IFS='|'; echo "${valgrind_tests[*]}"))\$"
		wrapper="valgrind --error-exitcode=99 --leak-check=full"
		wrapper+=" --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
		wrapper+=" --track-fds=no --num-callers=30 -q --log-file=$root/$reports/%p.log"
		say "[valgrind] test ${#valgrind_tests[@]} shmlogd and shmlogcat tests under memcheck"
		if ! SHMLOG_TEST_WRAPPER=$wrapper SHMLOG_TEST_SLOW=$valgrind_slow \
			ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 -R "$regex" \
			2>&1 | tee "$log"; then
			status="tests failed"
		fi
		for f in "$reports"/*.log; do
			[[ -s $f ]] || continue
			say "[valgrind] memcheck report $f"
			cat "$f"
			nreports=$((nreports + 1))
		done
		if ((nreports)); then
			if [[ $status == ok ]]; then
				status="$nreports memcheck reports in $reports/"
			else
				status+="; $nreports memcheck reports in $reports/"
			fi
		fi
	fi
	summary=$(ctest_summary "$log")
	[[ $status == ok ]] && summary+="; no memcheck report"
	record valgrind "$status" "$summary"
}

# The fuzzers (tests/fuzz/README.md): a clang tree with ASan+UBSan that builds only the fuzz
# targets, replays every corpus file (ctest -L fuzz), then runs each fuzzer for fuzz_seconds on a
# scratch copy of its corpus, so CI never grows the repository's corpus. Any crash fails the
# phase; its input is kept in build/fuzz/artifacts/ (see the README to make it a regression test).
# 20 s each: eight targets now, and the phase's fuzzing still takes under 3 minutes.
fuzz_seconds=20
fuzz_targets=(record_fields ring_reader parsers escape_text options json_fields rfc5424 logfile)

fuzz_skip() {
	results+=("[fuzz] skipped: $*")
	say "[fuzz] skipped: $*"
}

run_fuzz() {
	local dir=build/fuzz log=build/fuzz/ctest.log cc summary t line scratch probe
	local problems=()

	cc=$(command -v clang-14 || command -v clang || true)
	if [[ -z $cc ]]; then
		fuzz_skip "no clang (install clang and libclang-rt-dev: scripts/setup-deps.sh)"
		return
	fi
	probe=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return (int)(d == 0 && n); }' \
		>"$probe/probe.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" \
		2>/dev/null; then
		rm -rf "$probe"
		fuzz_skip "$cc cannot link libFuzzer (install libclang-rt-dev: scripts/setup-deps.sh)"
		return
	fi
	rm -rf "$probe"

	# A tree configured with another compiler: CMake would drop its cache and configure again
	# without our -D options (no SHMLOG_FUZZ, so no fuzzers). Start that tree afresh instead.
	if [[ -f $dir/CMakeCache.txt ]] &&
		! grep -qx "CMAKE_C_COMPILER:[A-Z]*=$cc" "$dir/CMakeCache.txt"; then
		rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
	fi
	say "[fuzz] configure $dir ($cc)"
	if ! CC=$cc cmake -S "$root" -B "$dir" "${color_opt[@]}" -DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DSHMLOG_FUZZ=ON \
		-DSHMLOG_SANITIZE=address,undefined -DSHMLOG_WERROR=ON; then
		problems+=("configure failed")
	else
		say "[fuzz] build the fuzzers ($jobs jobs)"
		cmake --build "$dir" --parallel "$jobs" --target shmlog_fuzzers ||
			problems+=("build failed")
	fi
	if ((${#problems[@]} == 0)); then
		say "[fuzz] replay every corpus file"
		ctest --test-dir "$dir" -L fuzz --output-on-failure --no-tests=error 2>&1 | tee "$log" ||
			problems+=("corpus replay failed")
		rm -rf "$dir/artifacts"
		mkdir -p "$dir/artifacts"
		for t in "${fuzz_targets[@]}"; do
			say "[fuzz] fuzz_$t for ${fuzz_seconds} s"
			scratch=$(mktemp -d)
			cp -R "tests/fuzz/corpus/$t" "$scratch/corpus"
			if "$dir/tests/fuzz/fuzz_$t" -max_total_time="$fuzz_seconds" -timeout=10 \
				-rss_limit_mb=2048 -print_final_stats=1 \
				-artifact_prefix="$dir/artifacts/$t-" "$scratch/corpus" \
				>"$dir/fuzz_$t.log" 2>&1; then
				line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/fuzz_$t.log" | tail -n 1 || true)
				say "[fuzz] fuzz_$t: ${line:-done}"
			else
				tail -n 60 "$dir/fuzz_$t.log"
				problems+=("fuzz_$t crashed (log $dir/fuzz_$t.log, input in $dir/artifacts)")
				say "[fuzz] fuzz_$t crashed: see $dir/fuzz_$t.log"
			fi
			rm -rf "$scratch"
		done
	fi

	summary=""
	[[ -f $log ]] && summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
	if ((${#problems[@]} == 0)); then
		line="${#fuzz_targets[@]} fuzzers ran ${fuzz_seconds} s each without a crash"
		results+=("${green}[fuzz] ${summary}; ${line}${reset}")
	else
		line=$(printf '%s; ' "${problems[@]}")
		line=${line%; }
		results+=("${red}[fuzz] FAILED: ${summary:+$summary; }${line}${reset}")
		failed=1
	fi
	say "[fuzz] ${summary}"
}

# The Debian packages (issue 7): build them with dpkg-buildpackage, install them, run the installed
# shmlogcat, purge them again. Needs root (CI is) or password-less sudo; skipped otherwise.
run_debs() {
	local out=build/debs
	if ((EUID != 0)) && ! sudo -n true 2>/dev/null; then
		results+=("[debs] skipped: needs root or password-less sudo to install build dependencies")
		say "[debs] skipped: not root"
		return
	fi
	say "[debs] build, install and purge the Debian packages"
	if "$root/scripts/build-debs.sh" --install "$out" &&
		/usr/bin/shmlogcat --help >/dev/null && [[ -x /usr/sbin/shmlogd ]] &&
		[[ -f /usr/include/shmlog.h ]] && pkg-config --exists shmlog; then
		results+=("${green}[debs] packages built; installed files in place; installed shmlogcat runs; shmlog imports${reset}")
	else
		results+=("${red}[debs] FAILED: see the output above${reset}")
		failed=1
	fi
	local as_root=()
	((EUID == 0)) || as_root=(sudo -n)
	DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get purge -y -q libshmlog0 libshmlog-dev \
		shmlog-tools python3-shmlog >/dev/null 2>&1 || true
}

# Start from a fresh log so an old run's summary is never reported as this one's.
rm -f build/plain/ctest.log build/plain/ctest-valgrind.log build/asan/ctest.log \
	build/tsan/ctest.log build/fuzz/ctest.log

# Warnings are errors in every build of ours (a user's plain build only warns: SHMLOG_WERROR is
# off by default). The plain phase also compiles a Release tree (-O3, where gcc warns about
# more), so that what packagers and most users type first keeps building.
plain_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLOG_SANITIZE= -DSHMLOG_WERROR=ON)
if wants plain; then
	run_build plain build/plain "${plain_args[@]}"
	configure_and_build release build/release -DCMAKE_BUILD_TYPE=Release -DSHMLOG_SANITIZE= \
		-DSHMLOG_WERROR=ON
	record release "$build_status" "compiled only, -O3, warnings as errors"
fi
if wants valgrind; then
	run_valgrind
fi
if wants asan; then
	# -O1 and assertions on: what the sanitizers are tuned for, and fewer gcc false warnings.
	run_build asan build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
		-DSHMLOG_SANITIZE=address,undefined -DSHMLOG_WERROR=ON
fi
if wants tsan; then
	# ThreadSanitizer where threads share a process: the ring's own tests (writer threads and
	# a consumer thread on one handle, fork with threads). The programs' tests run processes.
	ctest_select=(-R '^test_ring_')
	run_build tsan build/tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
		-DSHMLOG_SANITIZE=thread -DSHMLOG_WERROR=ON
	ctest_select=()
fi
if wants fuzz; then
	run_fuzz
fi
if wants debs; then
	run_debs
fi

say "summary"
printf '%s\n' "${results[@]}"
exit "$failed"
