#!/usr/bin/env bash
# Measures `tracebridge test` as a new user meets it (issue 14): a fresh
# clone, an empty Go build cache and an empty Lambda build cache, module
# downloads aside (the module cache is shared and filled first). Prints the
# wall and CPU time of each step, the progress lines with the time they
# appeared (the split by step), then two warm runs of the built binary, with
# the load average, since a shared machine's load moves wall times a lot;
# CPU time (user+sys of every process) does not move with it, and on an
# idle 2-core machine the wall time of a step is at least its CPU time / 2.
#
#   testharness/cmd/tracebridge/measure-first-run.sh [REVISION] [--cdk]
#
# REVISION (default HEAD) is checked out in the clone, so an older commit
# can be measured for comparison. --cdk also compiles, in a cache of its
# own, the CDK's Go packages alone: the part of the first run no choice of
# ours avoids.
set -euo pipefail
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
rev=HEAD cdk=false
for arg in "$@"; do
	case $arg in
	--cdk) cdk=true ;;
	*) rev=$arg ;;
	esac
done
src=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/tracebridge-first-run.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
git clone -q "$src" "$work/repo"
cd "$work/repo"
git checkout -q "$rev"
go mod download
# Empty caches for this measurement only: the Go build cache, and (through
# XDG_CACHE_HOME) the local cloud's ~/.cache/tracebridge/lambda-builds.
export GOCACHE="$work/gocache" XDG_CACHE_HOME="$work/cache"
exec 3>&1
load() { cut -d' ' -f1-3 /proc/loadavg; }
timed() { # label command…: wall and CPU time of a command and its children
	local label=$1 status=0
	shift
	/usr/bin/time -o "$work/time" -f "$label: %e s wall, %U s user + %S s sys CPU" "$@" || status=$?
	cat "$work/time" >&3 # to the script's stdout, whatever the command's is
	return $status
}
stamp() { # prefixes each line with the seconds since $1
	local t0=$1 line
	while IFS= read -r line; do
		printf '%8.1fs  %s\n' "$(bc <<<"${EPOCHREALTIME} - $t0")" "$line"
	done
}

echo "revision $(git rev-parse --short HEAD), $(nproc) cores, load average $(load)"
timed "compile the CLI (go build ./testharness/cmd/tracebridge)" go build -o "$work/tracebridge" ./testharness/cmd/tracebridge
echo "first run, load average $(load):"
t0=$EPOCHREALTIME
timed "first tracebridge test" "$work/tracebridge" test 2> >(stamp "$t0" >&2) > >(stamp "$t0")
wait
echo "load average after the first run $(load)"
for i in 1 2; do
	timed "warm run $i" "$work/tracebridge" test >/dev/null 2>"$work/warm.err" || cat "$work/warm.err"
done
if $cdk; then
	export GOCACHE="$work/gocache-cdk"
	pkgs=$(go list -deps ./infra | grep -E '^github.com/(aws/(aws-cdk-go|constructs-go|jsii-runtime-go)|cdklabs)/' || true)
	# shellcheck disable=SC2086 # one argument per package
	timed "compile the CDK's Go packages alone ($(wc -w <<<"$pkgs") packages, load average $(load))" go build $pkgs
fi
