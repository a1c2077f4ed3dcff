import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ role: 'test', level: 'info', destination }), lines };
}

describe('logs', () => {
  it('never carry an email or a phone number, at any depth a caller logs them', () => {
    const { log, lines } = capture();
    log.info({ email: 'ann@example.com', phone: '+4930123456' }, 'top level');
    log.info({ patch: { email: 'bob@example.com', bio: 'kept' } }, 'one deep');
    log.info({ req: { body: { phone: '+4930999999' } } }, 'two deep');
    const text = lines.join('');
    expect(text).not.toMatch(/example\.com|\+49/);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
    expect(text).toContain('"bio":"kept"');
  });
});
