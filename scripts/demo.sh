#!/usr/bin/env bash
# demo.sh - the main job, end to end: install what is missing, build, start shmlogd on a ring,
# log from several processes at once, then show the records live with shmlogcat and in the
# collector's JSON file.
#
#   scripts/demo.sh            # everything, in a temporary directory that is removed at the end
#   KEEP=1 scripts/demo.sh     # keep the output directory and print where it is
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n==> %s\n' "$*"; }

say "installing missing Debian packages (scripts/setup-deps.sh)"
scripts/setup-deps.sh

say "building shmlogd, shmlogcat and shmlogger (build/plain)"
cmake -S . -B build/plain -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/plain -j"$(nproc)" --target shmlogd shmlogcat shmlogger >/dev/null
bin=build/plain/bin

ring="demo-$$"
dir=$(mktemp -d)
out="$dir/app.jsonl"
collector=""
cleanup() {
	[ -n "$collector" ] && kill -TERM "$collector" 2>/dev/null && wait "$collector" 2>/dev/null
	"$bin/shmlogcat" --list >/dev/null 2>&1 || true
	rm -f "/dev/shm/shmlog.$ring"
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

say "starting the collector: shmlogd --ring $ring --output $out --format json"
"$bin/shmlogd" --ring "$ring" --output "$out" --format json --size 1M &
collector=$!
for _ in $(seq 100); do
	"$bin/shmlogcat" --stats "$ring" >/dev/null 2>&1 && break
	sleep 0.05
done

say "logging from 4 worker processes at once, plus 1000 lines piped from a script"
writers=()
for w in 1 2 3 4; do
	(
		for i in 1 2 3; do
			"$bin/shmlogger" -r "$ring" -t "worker$w" -l info \
				request="$i" status=200 ms=1.5 "worker $w handled request $i"
		done
		"$bin/shmlogger" -r "$ring" -t "worker$w" -l warning "worker $w is done"
	) &
	writers+=($!)
done
seq -f "batch line %g" 1000 | "$bin/shmlogger" -r "$ring" -t batch &
writers+=($!)
wait "${writers[@]}"

say "shmlogcat $ring -t 'worker*'   (what the ring still holds, filtered by tag)"
"$bin/shmlogcat" "$ring" -t 'worker*'

say "shmlogcat --stats $ring"
"$bin/shmlogcat" --stats "$ring"

say "stopping the collector (SIGTERM: it drains everything committed, then exits 0)"
kill -TERM "$collector"
wait "$collector"
collector=""

say "the collector's file: $(wc -l <"$out") JSON lines; the workers' ones:"
grep -v '"batch"' "$out"
