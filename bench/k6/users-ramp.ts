// Many distinct users (the bench's users ramp, general-3): payouts in an arrival rate that rises 30 %
// every stage, each arrival the next user in turn with its own API key and account, until p99 passes
// 500 ms or more than 0.1 % fail — then k6 stops, as the bench does. The last stage that held is the
// knee. Seed the users first (USERS_FILE: `npx tsx bench/seed-users.ts --count 10000`).
//
//   USERS_FILE=../../.faultline/users.json k6 run bench/k6/users-ramp.ts
//   STAGE=5s START_RATE=50 MAX_IN_FLIGHT=2000 USERS_FILE=… k6 run bench/k6/users-ramp.ts
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { headers, parseTargetWithUsers, payoutBody } from './lib/target.ts';

const target = parseTargetWithUsers(
  open(__ENV.STACK_FILE ?? '../../.faultline/stack.json'),
  __ENV.USERS_FILE ? open(__ENV.USERS_FILE) : null,
);
const stage = __ENV.STAGE ?? '3s';
const first = Number(__ENV.START_RATE ?? 25);
const maxInFlight = Number(__ENV.MAX_IN_FLIGHT ?? 2000);

export const options: Options = {
  scenarios: {
    ramp: {
      // bench/sections/users-ramp.ts rampPlan(): 20 stages, each ×1.3, linear within a stage.
      executor: 'ramping-arrival-rate',
      startRate: Math.round(first / 1.3),
      timeUnit: '1s',
      stages: Array.from({ length: 20 }, (_, i) => ({
        duration: stage,
        target: Math.round(first * 1.3 ** i),
      })),
      preAllocatedVUs: 50,
      maxVUs: maxInFlight,
    },
  },
  thresholds: {
    'http_req_duration{name:payout}': [{ threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: stage }],
    http_req_failed: [{ threshold: 'rate<0.001', abortOnFail: true, delayAbortEval: stage }],
  },
};

export default function (): void {
  const account = target.accounts[__ITER % target.accounts.length] as (typeof target.accounts)[number];
  const res = http.post(`${target.api}/v1/payouts`, payoutBody(account, 1), {
    headers: headers(account, `k6-users-${__VU}-${__ITER}-${Date.now()}`),
    tags: { name: 'payout' },
    timeout: '10s',
  });
  check(res, { 'payout accepted (201)': (r) => r.status === 201 });
}
