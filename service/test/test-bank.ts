import type { BankControl } from '../../fakes/bank/client.ts';
import { type TestBank as FakeBank, startTestBank as startFakeBank } from '../../fakes/bank/test-bank.ts';
import { BankClient } from '../bank/client.ts';

export { tempDataDir } from '../../fakes/bank/test-bank.ts';

export interface TestBank extends Omit<FakeBank, 'client'> {
  /** The service's own client, as the worker and recon use it. */
  client: BankClient;
  /** The bank owner's client: its faults and every record (fakes/bank/client.ts). */
  control: BankControl;
}

/** faultline's mock bank on a free loopback port, with the service's client and the owner's pointed at it. */
export async function startTestBank(opts: Parameters<typeof startFakeBank>[0]): Promise<TestBank> {
  const bank = await startFakeBank(opts);
  const client = new BankClient({
    baseUrl: bank.url,
    timeoutMs: opts.clientTimeoutMs ?? 2_000,
    ...(opts.signingKey ? { signingKey: opts.signingKey } : {}),
  });
  return { ...bank, client, control: bank.client };
}
