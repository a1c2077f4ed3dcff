import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import {
  openQueue,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobId,
  payoutJobOptions,
  producerConnection,
} from '../queue/queues.ts';
import type { startRelayLoop } from '../relay/relay.ts';

/**
 * `enqueue-direct`, the API's half: the dual write the outbox exists to prevent. Each new payout's job
 * is published right after its commit, fire and forget, so a queue Redis that is away loses it.
 */
export function directEnqueue(config: Config, log: Logger) {
  const connection = producerConnection(config);
  const queue = openQueue<PayoutJobData>(PAYOUTS_QUEUE, connection, config);
  queue.on('error', () => {});
  return {
    /** In place of the relay's hint (MoneyDeps.onCreated). */
    onCreated(transferIds: string[]): void {
      for (const id of transferIds)
        queue
          .add('payout', { transferId: id }, payoutJobOptions(config, payoutJobId(id)))
          .catch((err) =>
            log.warn({ transferId: id, err: err.message }, 'direct enqueue failed; the payout is lost'),
          );
    },
    async close(): Promise<void> {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** `enqueue-direct`, the relay's half: the outbox relay does not run (the API publishes instead). */
export function idleRelay(log: Logger): typeof startRelayLoop {
  return () => {
    log.warn('sabotage enqueue-direct: the outbox relay does not run');
    return { stop: async () => {} };
  };
}
