// One hot account: many virtual users paying out from the same account at once, so every debit queues
// on one row lock (SELECT … FOR UPDATE). Shows lock wait and hold on the money-path dashboard.
// Passes while p99 stays below the lock timeout (LOCK_TIMEOUT_MS, 2 s) and no payout fails with 5xx.
//
//   VUS=50 DURATION=1m k6 run k6/hot-account.ts
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { headers, parseTarget, payoutBody } from './lib/target.ts';

const target = parseTarget(open(__ENV.STACK_FILE ?? '../.faultline/stack.json'));
const hot = target.accounts[0] as (typeof target.accounts)[number];

export const options: Options = {
  scenarios: {
    contention: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS ?? 50),
      duration: __ENV.DURATION ?? '1m',
    },
  },
  thresholds: {
    'http_req_duration{name:payout}': ['p(99)<2000'],
    'checks{check:no_server_error}': ['rate==1'],
  },
};

export default function (): void {
  const res = http.post(`${target.api}/v1/payouts`, payoutBody(hot, 1), {
    headers: headers(hot, `k6-hot-${__VU}-${__ITER}-${Date.now()}`),
    tags: { name: 'payout' },
  });
  check(res, { no_server_error: (r) => r.status < 500 }, { check: 'no_server_error' });
}
