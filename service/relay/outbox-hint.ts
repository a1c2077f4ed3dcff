import type { Redis } from 'ioredis';

/**
 * The relay's wake-up call. payout() used to NOTIFY inside the money transaction, and a notifying
 * transaction holds one database-wide lock through its commit and WAL flush: every payout committed
 * one at a time, and no two shared an fsync. Now the API, after the commit and outside any lock, sends
 * a hint over the queue Redis (PUBLISH on this channel) and the relays subscribe (relay.ts); a hint lost
 * while Redis is away costs at most the relay's polling interval (RELAY_POLL_MS).
 */
export const outboxHintChannel = (queuePrefix: string) => `${queuePrefix}:outbox-hint`;

/**
 * Sends hints, fire and forget, coalesced: at most one PUBLISH in flight, and commits that happen
 * meanwhile share the one sent after it. A failed PUBLISH is dropped (the relay polls).
 */
export class OutboxHint {
  #inFlight = false;
  #again = false;

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
  ) {}

  /** After a commit that left outbox rows for the relay. */
  send(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    this.redis
      .publish(this.channel, '')
      .catch(() => {})
      .finally(() => {
        this.#inFlight = false;
        if (!this.#again) return;
        this.#again = false;
        this.send();
      });
  }
}
