import { cut } from '../chaos/network-faults.ts';
import { cutAll, redisOutage } from './redis-outage.ts';

export const redisCut = redisOutage({
  name: 'redis-cut',
  summary:
    'steady payouts, balance and profile reads and profile updates while the links to both Redis servers are cut, then healed',
  // No recon: every accepted payout must reach the bank through the outbox relay alone.
  plan: {
    workers: 1,
    recon: false,
    proxies: true,
    // A job in flight when the link drops loses its lock; a short stalled check takes it up again
    // within seconds of the heal instead of the default 30 s, so the drain figure measures the outbox.
    env: { RELAY_POLL_MS: '200', STALLED_INTERVAL_MS: '2000', JOB_LOCK_MS: '5000' },
  },
  sabotages: [
    { sabotage: 'enqueue-direct', caughtBy: ['all-terminal'] },
    { sabotage: 'no-purge-while-down', caughtBy: ['no-stale-profile'] },
  ],
  cache: true,
  kind: 'cut',
  needs: ['link:redis-queue', 'link:redis-cache'],
  fault: async (ctx) =>
    cutAll([cut(await ctx.target.link('redis-queue')), cut(await ctx.target.link('redis-cache'))]),
});
