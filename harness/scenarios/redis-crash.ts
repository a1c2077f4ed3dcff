import { kill } from '../chaos/process-faults.ts';
import { QUEUE_LOSS_ENV, redisOutage } from './redis-outage.ts';

export const redisCrash = redisOutage({
  name: 'redis-crash',
  summary: 'steady payouts while the queue Redis process is SIGKILLed and restarted from its AOF',
  // Jobs written in the last second before the crash can be lost (AOF everysec): recon re-sends them.
  plan: {
    workers: 1,
    recon: true,
    proxies: false,
    env: QUEUE_LOSS_ENV,
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
