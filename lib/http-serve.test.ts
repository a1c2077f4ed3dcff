import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { listen } from './http-serve.ts';

describe('listen(…).close()', () => {
  it('finishes while clients keep their kept-alive connections busy, answering every request it took', async () => {
    const app = new Hono().get('/slow', async (c) => {
      await new Promise((r) => setTimeout(r, 50));
      return c.text('ok');
    });
    // A cut so late that close() finishing at all shows it closed each connection between two requests.
    const server = await listen(app, { host: '127.0.0.1', port: 0, drainMs: 600_000 });
    const answers: number[] = [];
    let stop = false;
    // Back to back on kept-alive connections (fetch's default), as busy clients do.
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const res = await fetch(`http://127.0.0.1:${server.port}/slow`).catch(() => null);
        if (!res) return; // the server is gone
        answers.push(res.status);
        await res.text();
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    await server.close();
    stop = true;
    await Promise.all(clients);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 200)).toBe(true);
  });
});
