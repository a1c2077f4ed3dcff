// Steady payouts: a constant arrival rate of small payouts spread over the accounts — the everyday load,
// and the load the scenarios keep up while they break things (harness/runner/steady-payouts.ts, the
// generator's constantRate). Shows throughput and latency of the money path (debit + outbox in one round
// trip) when nothing is broken. Passes while p99 stays under 500 ms and under 1% of requests fail.
//
//   k6 run bench/k6/payouts-steady.ts                     (against `npm run up`)
//   RATE=100 DURATION=5m MAX_IN_FLIGHT=200 k6 run bench/k6/payouts-steady.ts
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { headers, parseTargetWithUsers, payoutBody } from './lib/target.ts';

const target = parseTargetWithUsers(
  open(__ENV.STACK_FILE ?? '../../.faultline/stack.json'),
  __ENV.USERS_FILE ? open(__ENV.USERS_FILE) : null,
);
// As the generator's maxInFlight: an arrival that finds this many payouts outstanding is dropped.
const maxInFlight = Number(__ENV.MAX_IN_FLIGHT ?? 200);

export const options: Options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 25),
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '2m',
      preAllocatedVUs: Math.min(20, maxInFlight),
      maxVUs: maxInFlight,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:payout}': ['p(99)<500'],
    dropped_iterations: ['count==0'],
    checks: ['rate>0.99'],
  },
};

export default function (): void {
  const account = target.accounts[__ITER % target.accounts.length] as (typeof target.accounts)[number];
  // 1 cent: the demo balances last for hundreds of thousands of payouts.
  const res = http.post(`${target.api}/v1/payouts`, payoutBody(account, 1), {
    headers: headers(account, `k6-steady-${__VU}-${__ITER}-${Date.now()}`),
    tags: { name: 'payout' },
  });
  check(res, { 'payout accepted (201)': (r) => r.status === 201 });
}
