import { describe, expect, it } from 'vitest';
import { MAX_SKEW_MS, sign, verify } from './bank-signature.ts';

const key = 'k'.repeat(43);
const req = { method: 'POST', path: '/v1/charges', idempotencyKey: 'k-1', body: '{"amount":100}' };

describe('bank request signatures', () => {
  it('verify what was signed with the same key, in time', () => {
    expect(verify(key, sign(key, req, 1_000), req, 1_000 + MAX_SKEW_MS)).toBe(true);
  });

  it('refuse another key, another body, method, path or idempotency key, an old signature, or garbage', () => {
    const header = sign(key, req, 1_000);
    expect(verify('x'.repeat(43), header, req, 1_000)).toBe(false);
    expect(verify(key, header, { ...req, body: '{"amount":1000}' }, 1_000)).toBe(false);
    expect(verify(key, header, { ...req, method: 'GET' }, 1_000)).toBe(false);
    expect(verify(key, header, { ...req, path: '/v1/charges/x/void' }, 1_000)).toBe(false);
    expect(verify(key, header, { ...req, idempotencyKey: 'k-2' }, 1_000)).toBe(false);
    expect(verify(key, header, { ...req, idempotencyKey: undefined }, 1_000)).toBe(false);
    expect(verify(key, header, req, 1_001 + MAX_SKEW_MS)).toBe(false);
    expect(verify(key, undefined, req)).toBe(false);
    expect(verify(key, 't=1,v1=zz', req)).toBe(false);
  });
});
