// One hot account: closed-loop clients paying out from the same account back to back, so every debit
// queues on one row lock (SELECT … FOR UPDATE) — the bench's hot_api_db / hot_pipeline measurements
// (16 clients, the generator's runClosed; pgbench -c 16 without --rate). With ACCOUNTS=per-vu each
// virtual user pays from its own account instead (the bench's spread_* measurements; needs a
// USERS_FILE with at least VUS users). Shows lock wait and hold on the money-path dashboard. Passes
// while p99 stays below the lock timeout (LOCK_TIMEOUT_MS, 2 s) and no payout fails with 5xx.
//
//   k6 run bench/k6/hot-account.ts
//   VUS=16 DURATION=8s ACCOUNTS=per-vu USERS_FILE=../../.faultline/users.json k6 run bench/k6/hot-account.ts
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { headers, parseTargetWithUsers, payoutBody } from './lib/target.ts';

const target = parseTargetWithUsers(
  open(__ENV.STACK_FILE ?? '../../.faultline/stack.json'),
  __ENV.USERS_FILE ? open(__ENV.USERS_FILE) : null,
);
const perVu = __ENV.ACCOUNTS === 'per-vu';

export const options: Options = {
  scenarios: {
    contention: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS ?? 16),
      duration: __ENV.DURATION ?? '1m',
    },
  },
  thresholds: {
    'http_req_duration{name:payout}': ['p(99)<2000'],
    'checks{check:no_server_error}': ['rate==1'],
  },
};

export default function (): void {
  const account = (
    perVu ? target.accounts[(__VU - 1) % target.accounts.length] : target.accounts[0]
  ) as (typeof target.accounts)[number];
  const res = http.post(`${target.api}/v1/payouts`, payoutBody(account, 1), {
    headers: headers(account, `k6-hot-${__VU}-${__ITER}-${Date.now()}`),
    tags: { name: 'payout' },
  });
  check(res, { no_server_error: (r) => r.status < 500 }, { check: 'no_server_error' });
}
