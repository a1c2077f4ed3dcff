// `npm run ops -- operator …` against a real database, through the one runner: the key it prints is
// the only copy, and it deposits (creates money) through the API; the list counts what each created.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createUser, userForApiKey } from '../accounts/accounts-repo.ts';
import { opsForTest } from '../ops/test-ops.ts';
import { type TestEnv, testApi, testEnv } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
});
afterAll(async () => {
  await api.close();
  await t.close();
});

const ops = (...argv: string[]) => opsForTest({ config: t.config, pool: t.pool })(...argv);

describe('npm run ops -- operator', () => {
  it('creates an operator whose printed key deposits, and lists it with what it created', async () => {
    expect(await ops('operator', 'list')).toMatchObject({
      code: 0,
      out: ['no operator yet: npm run ops -- operator create <name>'],
    });
    const created = await ops('operator', 'create', 'night', 'shift');
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    expect(created.notes).toEqual([
      expect.stringMatching(/^operator "night shift" created \(.+\); its key follows/),
    ]);
    const key = created.out[0] as string;
    expect(await userForApiKey(t.pool, key)).toMatchObject({ role: 'operator' });

    const user = await createUser(t.pool, 'customer');
    const account = await createAccount(t.pool, user.id, 'USD');
    const deposit = await api.call('POST', `/v1/accounts/${account.id}/deposits`, {
      key,
      idem: randomUUID(),
      body: { amount: 250, currency: 'USD' },
    });
    expect(deposit.status).toBe(201);
    expect(await ops('operator', 'list')).toMatchObject({
      code: 0,
      out: [expect.stringMatching(/ night shift +since \S+ {2}1 deposits, 250 minor units$/)],
    });
  });
});
