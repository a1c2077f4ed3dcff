import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStateReader, StateReadError } from './state.ts';

/** A target's own read endpoints, answering what `answers` holds for each read. */
let server: Server;
let url: string;
const answers: Record<string, unknown> = {};
const asked: Array<{ path: string; body: unknown; auth: string | undefined }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      asked.push({ path: req.url ?? '', body: JSON.parse(text), auth: req.headers.authorization });
      const answer = answers[req.url ?? ''];
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { error: 'no such read' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/state`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const reader = (profiles = false) =>
  httpStateReader({ kind: 'http', url, headers: { authorization: 'Bearer read-only' }, profiles });

describe('httpStateReader', () => {
  it('posts each read with its ids and reads rows of the contract’s shape, numbers and times coerced', async () => {
    answers['/state/transfers'] = {
      transfers: [
        {
          id: 't1',
          accountId: 'a1',
          amount: '300',
          status: 'PROCESSING',
          refunds: 0,
          refunded: 0,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        {
          id: 't2',
          accountId: 'a1',
          amount: 200,
          status: 'SETTLED',
          refunds: 0,
          refunded: 0,
          completedAt: null,
        },
      ],
    };
    const transfers = await reader().transfers(['a1']);
    expect(transfers[0]).toMatchObject({
      amount: 300,
      attempts: 0,
      createdAt: Date.parse('2026-01-01T00:00:00.000Z'),
    });
    expect(asked.at(-1)).toEqual({
      path: '/state/transfers',
      body: { accountIds: ['a1'] },
      auth: 'Bearer read-only',
    });
    // Without an `open` read of its own, the open payouts are counted from the transfers.
    expect(await reader().open(['a1'])).toEqual({ transfers: 1, amount: 300 });
  });

  it('answers null for profiles when the description says it has no such read', async () => {
    expect(await reader(false).profiles(['u1'])).toBeNull();
    answers['/state/profiles'] = { profiles: [{ userId: 'u1', version: 3 }] };
    expect(await reader(true).profiles(['u1'])).toEqual([{ userId: 'u1', version: 3 }]);
  });

  it('names the read and the field when the target answers another shape, or an error', async () => {
    answers['/state/accounts'] = { accounts: [{ id: 'a1', balance: 1 }] };
    await expect(reader().accounts(['a1'])).rejects.toThrow(
      /accounts read answered rows of another shape: 0\.ledgerSum/,
    );
    await expect(reader().keys([{ accountId: 'a1', key: 'k' }])).rejects.toBeInstanceOf(StateReadError);
    answers['/state/transfers'] = {
      transfers: [{ id: 't', accountId: 'a', amount: 1, status: 'DONE', refunds: 0, refunded: 0 }],
    };
    await expect(reader().transfers(['a'])).rejects.toThrow(/0\.status/);
  });
});
