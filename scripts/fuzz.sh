#!/usr/bin/env bash
# Fuzz each target (package:FuzzFunc) for $FUZZTIME. A finding fails the run
# and its input is written under the package's testdata/fuzz. A failure that
# wrote no input and says only "context deadline exceeded" is Go's fuzzing
# coordinator racing its own -fuzztime deadline, not a finding: that target
# runs once more, and fails the run only if it does so again.
set -uo pipefail

go=${GO:-go}
fuzztime=${FUZZTIME:-5s}
for target in "$@"; do
  pkg=${target%%:*} fn=${target#*:}
  for attempt in 1 2; do
    echo "fuzz $fn ($fuzztime)"
    out=$("$go" test -run '^$' -fuzz "^$fn\$" -fuzztime "$fuzztime" "$pkg" 2>&1)
    rc=$?
    printf '%s\n' "$out" | tail -3
    [ "$rc" -eq 0 ] && break
    if [ "$attempt" -eq 1 ] && ! grep -q 'Failing input written to' <<<"$out" &&
      grep -q 'context deadline exceeded' <<<"$out"; then
      echo "fuzz $fn: the coordinator's deadline race, no input written; once more"
      continue
    fi
    printf '%s\n' "$out" | tail -40 >&2
    exit 1
  done
done
