import type { Context } from 'hono';
import { z } from 'zod';
import {
  IdempotencyKeyMissing,
  InvalidRequest,
  InvalidUnicode,
  RequestAborted,
  UnsupportedMediaType,
} from '../errors.ts';
import { isCurrency, limitIn } from '../money/currencies.ts';

/** An ISO 4217 code with a minor unit (money/currencies.ts). */
export const currency = z
  .string()
  .refine(isCurrency, 'an ISO 4217 currency code with minor units, such as USD, EUR or JPY');

/**
 * A UUID in any letter case, answered in lower case: ids are normalised once, here, so that
 * comparisons (a transfer to itself) and cache keys never depend on how a client spelled one.
 */
export const uuid = z.uuid().transform((id) => id.toLowerCase());

/** A positive integer amount in minor units; the per-currency ceiling is `withinLimit`'s job. */
export const amount = z.number().int('an integer number of minor units').positive();

/**
 * Refines an object with `amount` and `currency`: the amount may be at most `max` major units of a
 * 2-decimal currency in that currency's own minor units (10,000,000.00 USD, 10,000,000 JPY, …).
 */
export function withinLimit(max: number) {
  return (input: { amount: number; currency: string }, ctx: z.RefinementCtx) => {
    const limit = limitIn(input.currency, max);
    if (input.amount > limit)
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `at most ${limit} minor units of ${input.currency}`,
      });
  };
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads the JSON body and parses it against a schema. Refuses, each with its own code and nothing
 * changed: a Content-Type other than application/json (415 unsupported_media_type), bytes that are not
 * UTF-8 or a string with a lone surrogate anywhere in it (400 invalid_unicode: Postgres cannot store
 * one, and replacing it would change what the client asked for), a body that is not JSON or does not
 * match (400 invalid_request). A client that hangs up mid-body is 400 request_aborted, never taken for
 * an outage of ours.
 */
export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  if (!isJson(c.req.header('content-type'))) throw new UnsupportedMediaType();
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch (err) {
    throw new RequestAborted(err);
  }
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    throw new InvalidUnicode('the body is not valid UTF-8', [{ field: 'body', message: 'not UTF-8' }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidRequest('the body must be a JSON object');
  }
  const bad = illFormedStrings(raw);
  if (bad.length > 0)
    throw new InvalidUnicode(
      `ill-formed Unicode (a lone surrogate) in ${bad.join(', ')}`,
      bad.map((field) => ({ field, message: 'ill-formed Unicode: a lone UTF-16 surrogate' })),
    );
  return parse(schema, raw, 'body');
}

/** `application/json`, any letter case, with parameters; a charset, if named, must be UTF-8. */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return !charset || /^charset="?utf-8"?$/.test(charset);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Paths (`a.b.0`) of every key or string value holding a lone surrogate; iterative, any depth. */
function illFormedStrings(value: unknown): string[] {
  const bad: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) bad.push(path || 'body');
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) stack.push([item, path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (LONE_SURROGATE.test(k)) bad.push(at);
        stack.push([item, at]);
      }
    }
  }
  return bad;
}

/** Parses a path parameter, or throws 400 invalid_request. */
export function param<T extends z.ZodType>(c: Context, name: string, schema: T): z.infer<T> {
  return parse(schema, c.req.param(name), name);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  throw new InvalidRequest(
    `invalid ${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    fields,
  );
}

const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/**
 * The Idempotency-Key header every money-moving request carries (deposits, payouts, transfers): a 503
 * can follow a commit whose answer was lost, and only a key makes the retry it invites safe. 400
 * idempotency_key_missing when absent, 400 invalid_request when malformed.
 */
export function idempotencyKeyHeader(c: Context): string {
  const value = c.req.header('idempotency-key');
  if (value === undefined) throw new IdempotencyKeyMissing();
  const r = idempotencyKey.safeParse(value);
  if (!r.success) throw new InvalidRequest('Idempotency-Key must be 1-255 printable ASCII characters');
  return r.data;
}
