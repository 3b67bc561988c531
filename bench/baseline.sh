#!/bin/sh
# Runs the ops suite with the store as it was at an earlier git revision
# beside today's, in one run, as the contender "sessionsql baseline", to
# measure what a change costs. The result goes to its own section of
# RESULTS.md ("ops-baseline"), with goal lines for Find hit, the commits
# and Delete (see baselinegoals.go).
#
#	bench/baseline.sh REV [flags of `go run .`...]
#	bench/baseline.sh f1e11c6 -ops-workloads 'Find hit,Commit update,Commit new,Delete' -ops-big-rows 0 -ops-sizes 300
#
# The revision is copied out of git into a temporary directory under the
# module path github.com/sessionsql/baseline, and bench is built against it
# with the baseline tag and a go.mod of its own (-modfile), leaving bench's
# go.mod alone. A revision from before the redesign (f7aeebe), which has
# internal/storecore, is built with baseline_pre.go, for its older API.
set -eu
rev=${1:?usage: bench/baseline.sh REV [flags of go run .]}
shift
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/base"
git -C "$root" archive "$rev" | tar -x -C "$tmp/base"
rm -f "$tmp/base/go.work"
find "$tmp/base" \( -name '*.go' -o -name go.mod \) -exec \
	sed -i 's#github.com/sessionsql/sessionsql#github.com/sessionsql/baseline#g' {} +

cp "$root/bench/go.mod" "$tmp/go.mod"
cp "$root/bench/go.sum" "$tmp/go.sum"
cd "$root/bench"
export GOWORK=off
go mod edit -modfile="$tmp/go.mod" \
	-replace=github.com/sessionsql/sessionsql="$root" \
	-require=github.com/sessionsql/baseline@v0.0.0 \
	-replace=github.com/sessionsql/baseline="$tmp/base"
tags=baseline
if git -C "$root" cat-file -e "$rev:internal/storecore" 2>/dev/null; then
	tags=baseline,baselinepre
fi
go run -mod=mod -modfile="$tmp/go.mod" -tags "$tags" \
	-ldflags "-X main.baselineRev=$(git -C "$root" rev-parse --short "$rev")" . "$@"
