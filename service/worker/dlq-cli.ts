import { Redis } from 'ioredis';
import { loadConfig } from '../config.ts';
import {
  DEAD_LETTER_QUEUE,
  openQueue,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobOptions,
} from '../queue/queues.ts';
import { redisSentinelOptions, sentinelTarget } from '../redis-sentinel.ts';
import { redisTlsOptions } from '../redis-tls.ts';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from './dead-letters.ts';

/**
 * The dead-letter queue from the shell (uses the same environment as the service):
 *   npm run dlq -- list
 *   npm run dlq -- replay <transferId>
 */
async function main() {
  const [command, transferId] = process.argv.slice(2);
  if (command !== 'list' && !(command === 'replay' && transferId)) {
    process.stderr.write('usage: npm run dlq -- list | replay <transferId>\n');
    process.exit(2);
  }
  const config = loadConfig();
  const connection = new Redis(config.REDIS_QUEUE_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    ...redisTlsOptions(config.REDIS_QUEUE_URL, config.TLS_CA_FILE),
    ...redisSentinelOptions(sentinelTarget(config, 'queue')),
  });
  const dlq = openQueue<DeadLetter>(DEAD_LETTER_QUEUE, connection, config);
  const payouts = openQueue<PayoutJobData>(PAYOUTS_QUEUE, connection, config);
  try {
    if (command === 'list') {
      const letters = await listDeadLetters(dlq);
      for (const l of letters) process.stdout.write(`${JSON.stringify(l)}\n`);
      process.stderr.write(`${letters.length} dead letter(s)\n`);
    } else {
      const jobId = await replayDeadLetter(dlq, payouts, {
        transferId: transferId as string,
        jobOptions: (id) => payoutJobOptions(config, id),
      });
      if (!jobId) {
        process.stderr.write(`no dead letter for transfer ${transferId}\n`);
        process.exitCode = 1;
      } else process.stdout.write(`replayed as job ${jobId}\n`);
    }
  } finally {
    await Promise.all([dlq.close(), payouts.close()]);
    connection.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`dlq: ${(err as Error).message}\n`);
  process.exit(1);
});
