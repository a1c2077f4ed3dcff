import { kill } from '../chaos/process-faults.ts';
import { redisOutage } from './redis-outage.ts';

export const redisCrash = redisOutage({
  name: 'redis-crash',
  summary: 'steady payouts while the queue Redis process is SIGKILLed and restarted from its AOF',
  // Jobs written in the last second before the crash can be lost (AOF everysec): recon re-sends them.
  plan: {
    workers: 1,
    recon: true,
    proxies: false,
    env: {
      RELAY_POLL_MS: '200',
      STALLED_INTERVAL_MS: '2000',
      JOB_LOCK_MS: '5000',
      RECON_STUCK_AFTER_MS: '8000',
      RECON_INTERVAL_MS: '3000',
    },
  },
  sabotages: [],
  kind: 'kill',
  needs: ['kill:redis-queue'],
  fault: async (ctx) => {
    const [redis] = ctx.target.components('redis-queue');
    if (!redis) throw new Error('no redis-queue component');
    return kill(redis);
  },
});
