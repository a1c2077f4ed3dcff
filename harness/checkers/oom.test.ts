import { describe, expect, it } from 'vitest';
import { cacheKeptServing, queueRefusedCleanly } from './oom.ts';

describe('queueRefusedCleanly', () => {
  const clean = {
    oomRefusals: 3,
    otherFailures: [],
    pingsAnswered: 20,
    pingsAsked: 20,
    evicted: 0,
    relayRefusals: 4,
  };
  it('passes OOM refusals with Redis up and nothing evicted', () => {
    expect(queueRefusedCleanly(clean)).toMatchObject({
      valid: true,
      figures: { oom_refusals: 3, relay_refusals: 4 },
    });
  });
  it('fails evictions, hangs and a limit never reached', () => {
    const r = queueRefusedCleanly({
      ...clean,
      oomRefusals: 0,
      otherFailures: ['Command timed out'],
      evicted: 12,
    });
    expect(r).toMatchObject({ valid: false, errorCount: 3 });
    expect(r.first).toMatch(/never reached/);
    expect(r.last).toMatch(/12 keys evicted/);
  });
});

describe('cacheKeptServing', () => {
  it('passes evictions with every write accepted and hits served', () => {
    expect(cacheKeptServing({ writesAccepted: 500, writesRefused: 0, evicted: 300, hits: 40 }).valid).toBe(
      true,
    );
  });
  it('fails a cache that refused writes or stopped serving', () => {
    const r = cacheKeptServing({ writesAccepted: 10, writesRefused: 5, evicted: 0, hits: 0 });
    expect(r).toMatchObject({ valid: false, errorCount: 3 });
  });
});
