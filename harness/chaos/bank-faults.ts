import type { BankControl, Faults } from '../../fakes/bank/client.ts';
import type { Fault } from './nemesis.ts';

/**
 * Switch the mock bank's seeded faults on (errors, timeouts, responses dropped after the charge,
 * declines, latency and its spikes: PUT /v1/faults); the heal switches every one off again.
 */
export function bankFaults(bank: Pick<BankControl, 'setFaults'>, faults: Partial<Faults>): Fault {
  return {
    kind: 'bank-fault',
    target: 'bank',
    inject: async () => {
      await bank.setFaults(faults);
    },
    heal: async () => {
      await bank.setFaults({});
    },
  };
}
