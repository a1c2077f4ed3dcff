import type { Context } from 'hono';
import { z } from 'zod';
import { IdempotencyKeyMissing, InvalidRequest } from '../errors.ts';

export const currency = z.string().regex(/^[A-Z]{3}$/, 'a 3-letter uppercase ISO 4217 code');
export const uuid = z.uuid();

/** A positive integer amount in minor units, at most `max`. */
export const amount = (max: number) => z.number().int('an integer number of minor units').positive().max(max);

/** Parses the JSON body against a schema, or throws 400 invalid_request naming each bad field. */
export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new InvalidRequest('the body must be a JSON object');
  }
  return parse(schema, raw, 'body');
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

/** The Idempotency-Key header: null when absent and optional, 400 when absent and required or malformed. */
export function idempotencyKeyHeader(c: Context, opts: { required: true }): string;
export function idempotencyKeyHeader(c: Context, opts: { required: false }): string | null;
export function idempotencyKeyHeader(c: Context, opts: { required: boolean }): string | null {
  const value = c.req.header('idempotency-key');
  if (value === undefined) {
    if (opts.required) throw new IdempotencyKeyMissing();
    return null;
  }
  const r = idempotencyKey.safeParse(value);
  if (!r.success) throw new InvalidRequest('Idempotency-Key must be 1-255 printable ASCII characters');
  return r.data;
}
