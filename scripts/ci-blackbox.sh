#!/usr/bin/env bash
# Black-box mode in CI: double-debit, worker-kill, redis-cut and lossy-bank against a reference stack
# started on its own (`npm run up`), run with --target from a copy of this repository without service/,
# so that nothing the harness loads could reach the service's code. Exits with the run's code (2 when
# the stack never came up). Run from .ci/run after the native suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
started=$SECONDS
target="$root/.faultline/target.json"
log="$root/runs/ci-blackbox-up.log"
mkdir -p "$root/runs"
rm -f "$target"

# The stack, in a process group of its own so that one signal stops all of it.
setsid npm run up >"$log" 2>&1 &
up=$!
stop_stack() {
  kill -INT -- "-$up" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$up" 2>/dev/null || return 0; sleep 1; done
  kill -KILL -- "-$up" 2>/dev/null || true
}
copy=""
cleanup() {
  stop_stack
  [ -n "$copy" ] && rm -rf "$copy"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  [ -f "$target" ] && break
  if ! kill -0 "$up" 2>/dev/null; then break; fi
  sleep 1
done
if [ ! -f "$target" ]; then
  echo "ci-blackbox: npm run up wrote no target description; the end of its log ($log):" >&2
  tail -n 30 "$log" >&2
  exit 2
fi
echo "ci-blackbox: the stack is up ($((SECONDS - started)) s); its description: $target"

# The harness, from a copy without service/ (node_modules shared).
copy="$(mktemp -d "${TMPDIR:-/tmp}/faultline-blackbox-XXXXXX")"
git ls-files -z | grep -zv '^service/' | xargs -0 tar -cf - | tar -xf - -C "$copy"
ln -s "$root/node_modules" "$copy/node_modules"
code=0
(cd "$copy" && node --import tsx harness/cli.ts run double-debit worker-kill redis-cut lossy-bank \
  --target "$target" --out "$root/runs") || code=$?
echo "ci-blackbox: exit $code after $((SECONDS - started)) s"
exit "$code"
