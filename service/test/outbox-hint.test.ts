// The api's hints to the relay (relay/outbox-hint.ts) over a real queue Redis: a burst of commits costs
// two PUBLISHes (the first at once, one after it for all the rest), and a later commit is hinted again.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OutboxHint } from '../relay/outbox-hint.ts';
import { eventually, type TestEnv, testEnv } from './harness.ts';

let t: TestEnv;
let publisher: Redis;
let subscriber: Redis;
const channel = `test:outbox-hint:${randomUUID()}`;
/** Every message on the channel, in order: hints are empty, the test's markers are not. */
const received: string[] = [];
/** Publishes a marker on the hint's own connection (so after every hint sent before it) and waits for it. */
async function hintsBefore(marker: string): Promise<number> {
  await publisher.publish(channel, marker);
  await eventually(async () => received.includes(marker));
  return received.slice(0, received.indexOf(marker)).filter((m) => m === '').length;
}

beforeAll(async () => {
  t = await testEnv();
  publisher = new Redis(t.config.REDIS_QUEUE_URL);
  subscriber = new Redis(t.config.REDIS_QUEUE_URL);
  subscriber.on('message', (_channel, message) => received.push(message));
  await subscriber.subscribe(channel);
});

afterAll(async () => {
  subscriber.disconnect();
  publisher.disconnect();
  await t.close();
});

it('sends one hint for the first of a burst of commits and one for all the others', async () => {
  const hint = new OutboxHint(publisher, channel);
  for (let i = 0; i < 100; i++) hint.send();
  await eventually(async () => received.length >= 2);
  expect(await hintsBefore('after the burst')).toBe(2);
  hint.send();
  await eventually(async () => received.length >= 4);
  expect(await hintsBefore('after one more')).toBe(3);
});
