import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SIGNATURE_HEADER, verify } from '../../contract/bank-signature.ts';
import type { Charges } from './charges.ts';
import {
  BankError,
  BankTimeoutFault,
  BankUnavailableFault,
  ChargeVoided,
  IdempotencyKeyMissing,
  IdempotencyKeyReused,
  InvalidRequest,
} from './errors.ts';
import { type FaultDice, type FaultPlan, faultsInput } from './faults.ts';
import { chargeResults, faultsInjected, requestDuration, requests } from './metrics.ts';

export type BankEnv = { Bindings: HttpBindings; Variables: { dropped: boolean; body: string } };

export interface BankDeps {
  charges: Charges;
  dice: FaultDice;
  log: Logger;
  /** How long the timeout fault holds a request open when the client does not hang up first. */
  timeoutHoldMs: number;
  /** Aborted when the bank stops: held requests give up at once and connections are not kept alive. */
  stopping: AbortSignal;
  /** When set, every /v1 request must carry a valid signature with this key (contract/bank-signature.ts), or 401. */
  signingKey?: string;
}

const chargeBody = z.object({
  amount: z.int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be 3 uppercase letters'),
  reference: z.string().min(1).max(100),
  destination: z.string().max(100).nullish(),
});

const idempotencyKey = z.string().min(1).max(200).optional();

const listQuery = z.object({
  reference: z.string().min(1).max(100).optional(),
  after: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

/** The mock bank's HTTP API; every refusal is `{ code, message }` with a stable code. */
export function createApp(deps: BankDeps): Hono<BankEnv> {
  const app = new Hono<BankEnv>();
  app.use(observeRequests({ stopping: deps.stopping }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (deps.signingKey) app.use('/v1/*', requireSignature(deps.signingKey));
  app.route('/v1/charges', chargeRoutes(deps));
  app.route('/v1/faults', faultRoutes(deps));
  app.get('/v1/stats', (c) => c.json(deps.charges.stats()));
  app.notFound((c) => c.json({ code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => errorResponse(c, err, deps.log));
  return app;
}

function chargeRoutes(deps: BankDeps) {
  const routes = new Hono<BankEnv>();

  routes.post('/', async (c) => {
    const key = parse(idempotencyKey, incomingHeader(c, 'idempotency-key'), 'Idempotency-Key header');
    // Signed, a charge must name its key: a signature over no key would verify for a fresh charge on
    // every replay of the captured request.
    if (deps.signingKey && key === undefined) throw new IdempotencyKeyMissing();
    const body = parse(chargeBody, await readJson(c), 'body');
    const plan = deps.dice.roll();
    await injectBeforeCharge(c, plan, deps);
    const { charge, replayed } = await deps.charges
      .charge(key, { ...body, destination: body.destination ?? null }, { decline: plan.decline })
      .catch(countRefusal);
    chargeResults.inc({ result: replayed ? 'replayed' : charge.status });
    if (plan.decline && !replayed && charge.status === 'declined') faultsInjected.inc({ kind: 'decline' });
    if (plan.fault === 'drop_response') return dropResponse(c, deps.log);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    if (charge.status === 'declined') {
      return c.json({ code: 'declined', message: 'the bank declined the charge', charge }, 402);
    }
    return c.json({ charge }, replayed ? 200 : 201);
  });

  routes.get('/', (c) => {
    const query = parse(listQuery, c.req.query(), 'query');
    if (query.reference !== undefined) return c.json({ charges: deps.charges.forReference(query.reference) });
    const charges = deps.charges.page({ after: query.after, limit: query.limit });
    return c.json({ charges, next: charges.length === query.limit ? (charges.at(-1)?.id ?? null) : null });
  });

  routes.get('/:key', (c) => c.json({ charge: deps.charges.get(c.req.param('key')) }));

  routes.post('/:key/void', async (c) => c.json({ charge: await deps.charges.void(c.req.param('key')) }));

  return routes;
}

function faultRoutes(deps: BankDeps) {
  const routes = new Hono<BankEnv>();

  routes.get('/', (c) => c.json(deps.dice.config));

  routes.put('/', async (c) => {
    const faults = deps.dice.set(parse(faultsInput, await readJson(c), 'body'));
    deps.log.info({ faults }, 'faults set');
    return c.json(faults);
  });

  return routes;
}

/** Refuses (401 signature_invalid) any request not signed with the shared key. */
function requireSignature(key: string): MiddlewareHandler<BankEnv> {
  return async function requireSignature(c, next) {
    const body = await bodyText(c);
    const signed = {
      method: c.req.method,
      path: c.env.incoming.url ?? '/',
      idempotencyKey: incomingHeader(c, 'idempotency-key'),
      body,
    };
    if (!verify(key, incomingHeader(c, SIGNATURE_HEADER.toLowerCase()), signed))
      return c.json(
        { code: 'signature_invalid', message: `a valid ${SIGNATURE_HEADER} header is required` },
        401,
      );
    await next();
  };
}

/**
 * Latency (cut short when the client hangs up), a latency spike (not cut short: a slow bank goes on with
 * a request its client gave up on, and charges), then at most one of: refuse (503) or hold and give up
 * (504); neither charges.
 */
async function injectBeforeCharge(c: Context<BankEnv>, plan: FaultPlan, deps: BankDeps): Promise<void> {
  // Built only when a fault waits: c.req.raw makes a whole WHATWG Request.
  const hungUp = () => AbortSignal.any([c.req.raw.signal, deps.stopping]);
  if (plan.latencyMs > 0) {
    faultsInjected.inc({ kind: 'latency' });
    await pause(plan.latencyMs, hungUp());
  }
  if (plan.spikeMs > 0) {
    faultsInjected.inc({ kind: 'latency_spike' });
    await pause(plan.spikeMs, deps.stopping);
  }
  if (plan.fault === 'error') {
    faultsInjected.inc({ kind: 'error' });
    throw new BankUnavailableFault();
  }
  if (plan.fault === 'timeout') {
    faultsInjected.inc({ kind: 'timeout' });
    await pause(deps.timeoutHoldMs, hungUp());
    throw new BankTimeoutFault();
  }
}

/** The charge is already durable: hang up without a word, as a bank that crashed after committing. */
function dropResponse(c: Context<BankEnv>, log: Logger): Response {
  faultsInjected.inc({ kind: 'drop_response' });
  c.set('dropped', true);
  log.debug('injected fault: response dropped after commit');
  c.env.incoming.socket.destroy();
  return c.body(null, 500);
}

function countRefusal(err: unknown): never {
  if (err instanceof ChargeVoided) chargeResults.inc({ result: 'voided' });
  if (err instanceof IdempotencyKeyReused) chargeResults.inc({ result: 'key_reused' });
  throw err;
}

/** Sleeps, cut short when the client hangs up or the bank stops. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** Request count and duration by route template; `Connection: close` while stopping, so sockets drain. */
function observeRequests({ stopping }: { stopping: AbortSignal }): MiddlewareHandler<BankEnv> {
  return async function observeRequests(c, next) {
    const stopTimer = requestDuration.startTimer();
    await next();
    if (stopping.aborted) c.header('Connection', 'close');
    const route = c.req.routeIndex > 0 ? routePath(c) : 'unmatched';
    const status = c.get('dropped') ? 'dropped' : String(c.res.status);
    requests.inc({ route, status });
    stopTimer({ route });
  };
}

const statusByCode: Record<string, ContentfulStatusCode> = {
  invalid_request: 400,
  idempotency_key_missing: 400,
  not_found: 404,
  charge_voided: 409,
  already_charged: 409,
  idempotency_key_reused: 422,
  bank_unavailable: 503,
  ledger_closed: 503,
  bank_timeout: 504,
};

/** The one place where errors become HTTP answers. */
function errorResponse(c: Context<BankEnv>, err: Error, log: Logger): Response {
  if (err instanceof BankError) {
    const body = { code: err.code, message: err.message, ...(err.charge ? { charge: err.charge } : {}) };
    return c.json(body, statusByCode[err.code] ?? 500);
  }
  log.error({ err }, 'unexpected error');
  return c.json({ code: 'internal', message: 'internal error' }, 500);
}

/*
 * The request's headers and body are read from node's IncomingMessage, not through Hono's c.req: that
 * builds a WHATWG Request (Headers, a ReadableStream, an AbortController) per request, which cost the
 * bank more CPU than recording the charge (bench/profile.ts).
 */

function incomingHeader(c: Context<BankEnv>, lowerCaseName: string): string | undefined {
  const v = c.env.incoming.headers[lowerCaseName];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The request body as text, read once (the signature check and the route share it). */
function bodyText(c: Context<BankEnv>): Promise<string> {
  const read = c.get('body');
  if (read !== undefined) return Promise.resolve(read);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const incoming = c.env.incoming;
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      c.set('body', text);
      resolve(text);
    });
    incoming.once('error', reject);
  });
}

async function readJson(c: Context<BankEnv>): Promise<unknown> {
  const text = await bodyText(c);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequest('body is not valid JSON');
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${[what, ...i.path].join('.')}: ${i.message}`);
  throw new InvalidRequest(problems.join('; '));
}
