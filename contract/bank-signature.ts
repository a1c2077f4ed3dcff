import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed bank requests: `X-Faultline-Signature: t=<unix ms>,v1=<hex HMAC-SHA256>` over
 *   <t> \n <METHOD> \n <path with query> \n <Idempotency-Key, or nothing> \n <sha256 hex of the body>
 * with the key both sides share (BANK_SIGNING_KEY). The key inside the signature binds a captured
 * charge to the one charge it was made for: replayed without its key, or with another, it does not
 * verify, and replayed as it is the bank answers it from that key's record. The timestamp bounds how
 * long a captured request verifies at all (MAX_SKEW_MS).
 */
export const SIGNATURE_HEADER = 'x-faultline-signature';
/** Five minutes, as Stripe's webhooks allow: clocks of two hosts drift; a replay window must stay short. */
export const MAX_SKEW_MS = 5 * 60_000;

export interface SignedRequest {
  method: string;
  /** Path and query, as sent: `/v1/charges?reference=…`. */
  path: string;
  /** The Idempotency-Key header, or undefined when the request has none. */
  idempotencyKey: string | undefined;
  body: string;
}

function mac(key: string, t: number, req: SignedRequest): string {
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  return createHmac('sha256', key)
    .update(`${t}\n${req.method.toUpperCase()}\n${req.path}\n${req.idempotencyKey ?? ''}\n${bodyHash}`)
    .digest('hex');
}

/** The header value for a request sent now. */
export function sign(key: string, req: SignedRequest, nowMs = Date.now()): string {
  return `t=${nowMs},v1=${mac(key, nowMs, req)}`;
}

/** True when `header` is a signature of `req` with `key`, made within MAX_SKEW_MS of `nowMs`. */
export function verify(
  key: string,
  header: string | undefined,
  req: SignedRequest,
  nowMs = Date.now(),
): boolean {
  const m = /^t=(\d{1,16}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowMs - t) > MAX_SKEW_MS) return false;
  const given = Buffer.from(m[2] as string, 'hex');
  const wanted = Buffer.from(mac(key, t, req), 'hex');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
