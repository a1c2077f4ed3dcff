// Balance reads: a high arrival rate of GET /v1/accounts/:id — the read path that the cache and the
// coalescing of identical balance queries are for. Passes while p99 stays under 100 ms and no read fails.
//
//   RATE=300 DURATION=1m k6 run bench/k6/balance-reads.ts
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { headers, parseTarget } from './lib/target.ts';

const target = parseTarget(open(__ENV.STACK_FILE ?? '../../.faultline/stack.json'));

export const options: Options = {
  scenarios: {
    reads: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 200),
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '1m',
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{name:balance}': ['p(99)<100'],
  },
};

export default function (): void {
  const account = target.accounts[__ITER % target.accounts.length] as (typeof target.accounts)[number];
  const res = http.get(`${target.api}/v1/accounts/${account.id}`, {
    headers: headers(account),
    tags: { name: 'balance' },
  });
  check(res, { 'balance read (200)': (r) => r.status === 200 });
}
