import { z } from 'zod';
import { ExchangeTimeout, type Transport } from '../lib/http-exchange.ts';
import { SIGNATURE_HEADER, sign } from './bank-signature.ts';

/**
 * The bank's protocol, as both sides speak it (docs/contract.md#the-bank): the charge record, how its
 * answers read, and what a client makes of an answer it did or did not get (bank-signature.ts signs
 * the requests). The service's client (service/bank/) and faultline's mock bank and its own client
 * (fakes/bank/) each import it; neither side imports the other.
 */

/**
 * One record of the bank's ledger. A key has exactly one record, written once and never changed:
 * `charged` (money moved), `declined` (recorded, no money moved) or `voided` (a tombstone that forbids
 * any later charge with that key; its amount is 0 and its reference and currency are empty).
 */
export interface Charge {
  id: string;
  key: string;
  reference: string;
  amount: number;
  currency: string;
  destination: string | null;
  status: ChargeStatus;
  createdAt: string;
}

export type ChargeStatus = 'charged' | 'declined' | 'voided';

/** What a payer asks for; two requests with the same key must carry the same one. */
export interface ChargeRequest {
  amount: number;
  currency: string;
  reference: string;
  destination: string | null;
}

/** Totals over the whole ledger; `duplicates` counts references with more than one `charged` charge. */
export interface BankStats {
  charged: { count: number; amount: number };
  declined: { count: number };
  voided: { count: number };
  byReference: { duplicates: number };
}

export const chargeSchema = z.object({
  id: z.string(),
  key: z.string(),
  reference: z.string(),
  amount: z.number(),
  currency: z.string(),
  destination: z.string().nullable(),
  status: z.enum(['charged', 'declined', 'voided']),
  createdAt: z.string(),
}) satisfies z.ZodType<Charge>;

/**
 * The outcome is unknown: a 5xx, a 504, a timeout, a refused or reset connection, a dropped
 * response. The charge may or may not have happened; only a lookup or a void can tell.
 */
export class BankUnavailable extends Error {
  constructor(
    message: string,
    /** Bounded, for metrics: why the outcome is unknown. */
    readonly reason: 'timeout' | 'unreachable' | 'server_error' | 'bad_response',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BankUnavailable';
  }
}

/** The bank refused the request for good (4xx, e.g. 400 invalid_request, 422 idempotency_key_reused). */
export class BankRejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BankRejected';
  }
}

export interface ChargeResult {
  /** `voided`: the key was voided before, nothing was charged and nothing ever will be. */
  kind: 'charged' | 'declined' | 'voided';
  charge: Charge;
  /** The key had been used before; this is its first result again. */
  replayed: boolean;
}

/** An answer of the bank that was received whole and parsed: below 500, its body JSON. */
export interface BankAnswer {
  status: number;
  header(name: string): string | undefined;
  body: unknown;
}

const chargeBody = z.object({ charge: chargeSchema });
const errorBody = z.object({
  code: z.string(),
  message: z.string().optional(),
  charge: chargeSchema.optional(),
});

/**
 * Reads one exchange's answer: a body that is not JSON or a 5xx means the outcome is unknown
 * (BankUnavailable); anything else is an answer, refusals included.
 */
function readAnswer(
  where: string,
  response: { status: number; text: string; header(name: string): string | undefined },
): BankAnswer {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch (err) {
    throw new BankUnavailable(`${where}: ${response.status} with a body that is not JSON`, 'bad_response', {
      cause: err,
    });
  }
  if (response.status >= 500) {
    const code = errorBody.safeParse(body).data?.code ?? 'unknown';
    const reason = response.status === 504 ? 'timeout' : 'server_error';
    throw new BankUnavailable(`${where}: bank answered ${response.status} ${code}`, reason);
  }
  return { status: response.status, header: response.header, body };
}

/** POST /v1/charges: charged (201, or 200 replayed), declined (402) or voided (409 charge_voided). */
export function chargeOutcome(answer: BankAnswer): [outcome: string, result: ChargeResult] {
  const replayed = answer.header('idempotent-replayed') === 'true';
  if (answer.status === 200 || answer.status === 201) {
    const { charge } = decode(chargeBody, answer);
    return [replayed ? 'replayed' : 'charged', { kind: 'charged', charge, replayed }];
  }
  const refusal = errorBody.safeParse(answer.body).data ?? { code: '' };
  if (answer.status === 402 && refusal.code === 'declined' && refusal.charge)
    return ['declined', { kind: 'declined', charge: refusal.charge, replayed }];
  if (answer.status === 409 && refusal.code === 'charge_voided' && refusal.charge)
    return ['voided', { kind: 'voided', charge: refusal.charge, replayed: true }];
  throw rejected(answer);
}

/** GET /v1/charges/{key}: the key's record, or null (404) when the bank never saw it. */
export function lookupOutcome(answer: BankAnswer): [outcome: string, charge: Charge | null] {
  if (answer.status === 404) return ['not_found', null];
  return ['ok', decode(chargeBody, answer).charge];
}

/** POST /v1/charges/{key}/void: the key's final record (409 already_charged answers the charge). */
export function voidOutcome(answer: BankAnswer): [outcome: string, charge: Charge] {
  if (answer.status === 409) {
    const refusal = errorBody.safeParse(answer.body).data;
    if (refusal?.code === 'already_charged' && refusal.charge) return ['already_charged', refusal.charge];
  }
  const { charge } = decode(chargeBody, answer);
  return [charge.status, charge];
}

/** Reads an expected body; an error status or an unexpected shape becomes BankRejected. */
export function decode<T>(schema: z.ZodType<T>, answer: BankAnswer): T {
  if (answer.status >= 400) throw rejected(answer);
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success)
    throw new BankRejected(answer.status, 'unexpected_body', 'bank answer has an unexpected shape');
  return parsed.data;
}

function rejected(answer: BankAnswer): BankRejected {
  const refusal = errorBody.safeParse(answer.body).data;
  return new BankRejected(
    answer.status,
    refusal?.code ?? 'unknown',
    `bank refused (${answer.status} ${refusal?.code ?? 'unknown'}): ${refusal?.message ?? ''}`,
  );
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

/**
 * One exchange with the bank as a client makes it: the body as JSON text, signed when keyed (the
 * Idempotency-Key inside the signature), over `transport`; every way of not getting a clear answer
 * becomes BankUnavailable.
 */
export async function exchangeWithBank(
  transport: Transport,
  req: {
    method: string;
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
    signingKey: string | undefined;
    timeoutMs: number;
  },
): Promise<BankAnswer> {
  const { method, path, timeoutMs } = req;
  const where = `${method} ${path}`;
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string> = {
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...req.headers,
  };
  if (req.signingKey)
    headers[SIGNATURE_HEADER] = sign(req.signingKey, {
      method,
      path,
      idempotencyKey: req.headers?.['Idempotency-Key'],
      body: payload ?? '',
    });
  let response: Awaited<ReturnType<Transport['exchange']>>;
  try {
    response = await transport.exchange({ method, path, headers, body: payload, timeoutMs });
  } catch (err) {
    const timedOut = err instanceof ExchangeTimeout;
    throw new BankUnavailable(
      timedOut ? `${where}: no answer within ${timeoutMs} ms` : `${where}: ${describe(err)}`,
      timedOut ? 'timeout' : 'unreachable',
      { cause: err },
    );
  }
  return readAnswer(where, response);
}
