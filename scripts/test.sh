#!/usr/bin/env bash
# test.sh - builds shmlog and runs the whole test suite: a plain build, then an ASan+UBSan build,
# a ThreadSanitizer build of the ring tests, the fuzzers (a clang build that replays their corpus
# and fuzzes each for a while), and the Debian packages (built, installed, run, purged).
#
#   scripts/test.sh            everything (build/plain, build/asan, build/tsan, build/fuzz, debs)
#   scripts/test.sh --quick    the plain build only
#
# Environment: SHMLOG_JOBS (build parallelism, default: nproc), CI=true (no colours, no prompts).
# Exit status: 0 when every build configured, compiled and passed its tests; 1 otherwise.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/test.sh [--quick]

Builds shmlog and runs its tests with ctest:
  build/plain  RelWithDebInfo
  build/asan   AddressSanitizer + UndefinedBehaviorSanitizer (skipped with --quick)
  build/tsan   ThreadSanitizer, the ring tests (test_ring_*) (skipped with --quick)
  build/fuzz   clang, libFuzzer targets of tests/fuzz: corpus replay, then 30 s of fuzzing
               each (skipped with --quick, or with a reason when clang/libFuzzer is missing)
  build/debs   dpkg-buildpackage, install, run the installed shmlogcat, purge (skipped with
               --quick, or when not root and without password-less sudo)

  --quick     run only the plain build
  -h, --help  show this help

Environment: SHMLOG_JOBS=N compiles with N jobs (default: nproc); CI=true disables colours.
EOF
}

quick=0
for arg in "$@"; do
	case $arg in
	--quick) quick=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf 'test.sh: unknown option %s; see scripts/test.sh --help\n' "$arg" >&2
		exit 64
		;;
	esac
done

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

# run_build NAME DIR CMAKE-ARGS...: configure, build and test one tree; records one summary line.
run_build() {
	local name=$1 dir=$2
	shift 2
	local log="$dir/ctest.log" summary status=ok
	local select=("${ctest_select[@]}")

	say "[$name] configure $dir"
	if ! cmake -S "$root" -B "$dir" "${color_opt[@]}" "$@"; then
		status="configure failed"
	else
		say "[$name] build ($jobs jobs)"
		if ! cmake --build "$dir" --parallel "$jobs"; then
			status="build failed"
		else
			say "[$name] test"
			# -j2: multi-process tests hold the ctest resource lock "ring-heavy", so they never
			# run next to each other. A tree with no tests at all is a failure, not a pass.
			if ! ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 \
				"${select[@]}" 2>&1 |
				tee "$log"; then
				status="tests failed"
			fi
		fi
	fi

	summary=""
	[[ -f $log ]] && summary=$(grep -E '^[0-9]+% tests passed|No tests were found' "$log" | tail -n 1 || true)
	[[ $status == ok ]] || summary="${summary:+$summary; }$status"
	if [[ $status == ok ]]; then
		results+=("${green}[$name] ${summary}${reset}")
	else
		results+=("${red}[$name] FAILED: ${summary}${reset}")
		failed=1
	fi
	say "[$name] ${summary}"
}

# The fuzzers (tests/fuzz/README.md): a clang tree with ASan+UBSan that builds only the fuzz
# targets, replays every corpus file (ctest -L fuzz), then runs each fuzzer for fuzz_seconds on a
# scratch copy of its corpus, so CI never grows the repository's corpus. Any crash fails the
# phase; its input is kept in build/fuzz/artifacts/ (see the README to make it a regression test).
fuzz_seconds=30
fuzz_targets=(record_fields ring_reader parsers escape_text)

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

	say "[fuzz] configure $dir ($cc)"
	if ! CC=$cc cmake -S "$root" -B "$dir" "${color_opt[@]}" -DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DSHMLOG_FUZZ=ON \
		-DSHMLOG_SANITIZE=address,undefined; then
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
		results+=("${green}[debs] packages built; installed files in place; installed shmlogcat runs${reset}")
	else
		results+=("${red}[debs] FAILED: see the output above${reset}")
		failed=1
	fi
	local as_root=()
	((EUID == 0)) || as_root=(sudo -n)
	DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get purge -y -q libshmlog0 libshmlog-dev \
		shmlog-tools >/dev/null 2>&1 || true
}

# Start from a fresh log so an old run's summary is never reported as this one's.
rm -f build/plain/ctest.log build/asan/ctest.log build/tsan/ctest.log build/fuzz/ctest.log

run_build plain build/plain -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLOG_SANITIZE=

if ((!quick)); then
	# -O1 and assertions on: what the sanitizers are tuned for, and fewer gcc false warnings.
	run_build asan build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
		-DSHMLOG_SANITIZE=address,undefined
	# ThreadSanitizer where threads share a process: the ring's own tests (writer threads and
	# a consumer thread on one handle, fork with threads). The programs' tests run processes.
	ctest_select=(-R '^test_ring_')
	run_build tsan build/tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
		-DSHMLOG_SANITIZE=thread
	ctest_select=()
	run_fuzz
	run_debs
fi

say "summary"
printf '%s\n' "${results[@]}"
exit "$failed"
