import type { BankClient, Faults } from '../../service/bank/client.ts';
import type { Fault } from './nemesis.ts';

/**
 * Switch the mock bank's seeded faults on (errors, timeouts, responses dropped after the charge,
 * declines, latency and its spikes: PUT /v1/faults); the heal switches every one off again.
 */
export function bankFaults(bank: Pick<BankClient, 'setFaults'>, faults: Partial<Faults>): Fault {
  return {
    kind: 'bank-fault',
    target: 'bank',
    inject: () => bank.setFaults(faults),
    heal: () => bank.setFaults({}),
  };
}
