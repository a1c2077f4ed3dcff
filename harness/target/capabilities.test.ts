import { describe, expect, it } from 'vitest';
import { describeCapability, describedCapabilities, missingCapabilities } from './capabilities.ts';
import { parseDescription } from './description.ts';

const minimal = { name: 'shop', api: { urls: ['http://127.0.0.1:3000'] } };

describe('capabilities', () => {
  it('a description with an API alone gives none: every scenario needing more is skipped', () => {
    const have = describedCapabilities(parseDescription(minimal, 'test'));
    expect([...have]).toEqual([]);
    expect(missingCapabilities(['users', 'kill:worker', 'native:queue'], have)).toEqual([
      'users',
      'kill:worker',
      'native:queue',
    ]);
  });

  it('reads each from its field; a fault counts only with its heal', () => {
    const d = parseDescription(
      {
        ...minimal,
        bank: { url: 'http://127.0.0.1:4010', metrics: 'http://127.0.0.1:9465/metrics' },
        users: { create: 'make-user {name}' },
        funding: { operatorKey: 'k' },
        state: { kind: 'http', url: 'http://127.0.0.1:3001/state', profiles: true },
        recon: { command: 'run-recon' },
        proxies: { url: 'http://127.0.0.1:8474', links: { 'redis-queue': 'redis' } },
        components: {
          'worker-1': { role: 'worker', kill: 'docker kill w1', restart: 'docker start w1' },
          'worker-2': { role: 'worker', pause: 'docker pause w2' },
          db: { role: 'postgres', terminate: 'systemctl stop pg', restart: 'systemctl start pg' },
        },
      },
      'test',
    );
    expect([...describedCapabilities(d)].sort()).toEqual(
      [
        'bank',
        'funding',
        'kill:worker',
        'link:redis-queue',
        'recon',
        'state',
        'state:profiles',
        'terminate:postgres',
        'users',
      ].sort(),
    );
  });

  it('says what each one is, and where it comes from', () => {
    expect(describeCapability('kill:worker')).toMatch(/worker component with kill and restart/);
    expect(describeCapability('link:bank')).toMatch(/proxies\.links\.bank/);
    expect(describeCapability('native:queue')).toMatch(/^only the native stack/);
  });
});
