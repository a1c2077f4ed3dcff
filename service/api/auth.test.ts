import { describe, expect, it } from 'vitest';
import { apiKeyHash } from '../accounts/accounts-repo.ts';
import { AuthCache } from './auth.ts';

const user = (id: string) => ({ id, role: 'user' as const });
const h = apiKeyHash;

describe('AuthCache', () => {
  it('answers a key until its TTL has passed, then forgets it', () => {
    const cache = new AuthCache({ ttlMs: 1_000, max: 10 });
    cache.set(h('k'), user('u'), 0);
    expect(cache.get(h('k'), 999)).toEqual(user('u'));
    expect(cache.get(h('k'), 1_000)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('keeps at most `max` keys, dropping the least recently used', () => {
    const cache = new AuthCache({ ttlMs: 1_000, max: 2 });
    cache.set(h('a'), user('a'), 0);
    cache.set(h('b'), user('b'), 0);
    cache.get(h('a'), 1);
    cache.set(h('c'), user('c'), 2);
    expect(cache.size).toBe(2);
    expect(cache.get(h('b'), 3)).toBeNull();
    expect(cache.get(h('a'), 3)).toEqual(user('a'));
    expect(cache.get(h('c'), 3)).toEqual(user('c'));
  });

  it('never caches operators, nor anything with a TTL of 0', () => {
    const cache = new AuthCache({ ttlMs: 1_000, max: 10 });
    cache.set(h('op'), { id: 'o', role: 'operator' }, 0);
    expect(cache.get(h('op'), 1)).toBeNull();
    const off = new AuthCache({ ttlMs: 0, max: 10 });
    off.set(h('k'), user('u'), 0);
    expect(off.get(h('k'), 0)).toBeNull();
  });
});
