import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type pg from 'pg';
import { bearerToken } from '../../lib/bearer-token.ts';
import { type HttpServer, listen } from '../../lib/http-serve.ts';
import { terminateWithin } from '../../lib/terminate.ts';
import { createUser } from '../../service/accounts/accounts-repo.ts';
import type { ProcessHandle } from '../process.ts';

/** How long a terminated process may drain before it is SIGKILLed, as a deploy tool would. */
const TERMINATE_LIMIT_MS = 30_000;

/** Where the control listener is, and the token every request to it must carry. */
export interface Control {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** What one action does to a process of the stack; each returns once it is done. */
const ACTIONS: Record<string, (p: ProcessHandle) => Promise<void>> = {
  kill: async (p) => {
    p.kill('SIGKILL');
    await p.exited;
  },
  terminate: (p) => terminateWithin(p, TERMINATE_LIMIT_MS),
  pause: async (p) => p.kill('SIGSTOP'),
  resume: async (p) => p.kill('SIGCONT'),
  // A no-op on a running process, so a heal may run twice.
  restart: async (p) => {
    if (!p.running) await p.restart();
  },
};

/**
 * The native stack's control listener, what its target description's commands call (with curl): test
 * users (`POST /users/{name}`) and process actions (`POST /processes/{name}/{kill|terminate|pause|
 * resume|restart}`). Loopback only, and every request needs the listener's bearer token.
 */
export async function startControl(opts: {
  pool: pg.Pool;
  /** The stack's processes by name, looked up at each request (the stack may start more). */
  process: (name: string) => ProcessHandle | undefined;
}): Promise<Control> {
  const token = randomBytes(24).toString('base64url');
  const app = new Hono();
  app.use(bearerToken(token, 'the control listener needs Authorization: Bearer <its token>'));
  app.post('/users/:name', async (c) => {
    const user = await createUser(opts.pool, c.req.param('name'));
    return c.json({ userId: user.id, apiKey: user.apiKey }, 201);
  });
  app.post('/processes/:name/:action', async (c) => {
    const proc = opts.process(c.req.param('name'));
    const action = ACTIONS[c.req.param('action')];
    if (!proc || !action) return c.json({ code: 'not_found', message: 'no such process or action' }, 404);
    await action(proc);
    return c.json({ name: proc.name, pid: proc.pid, running: proc.running });
  });
  app.onError((err, c) => c.json({ code: 'failed', message: err.message }, 500));
  const server: HttpServer = await listen(app, { host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${server.port}`, token, close: () => server.close() };
}

/** The curl command that POSTs to the control listener, as a description's command template. */
export function controlCommand(control: Pick<Control, 'url' | 'token'>, path: string): string {
  return `curl -fsS -X POST -H 'Authorization: Bearer ${control.token}' '${control.url}${path}'`;
}
