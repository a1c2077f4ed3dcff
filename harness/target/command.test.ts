import { describe, expect, it } from 'vitest';
import { CommandError, fillTemplate, runCommand } from './command.ts';

describe('fillTemplate', () => {
  it('fills each placeholder, and refuses one it was not given or a value a shell would read', () => {
    expect(fillTemplate('kill -9 $(cat /run/{name}.pid)', { name: 'worker-1' })).toBe(
      'kill -9 $(cat /run/worker-1.pid)',
    );
    expect(() => fillTemplate('docker kill {container}', { name: 'x' })).toThrow(/\{container\}/);
    expect(() => fillTemplate('echo {name}', { name: 'a; rm -rf /' })).toThrow(CommandError);
    expect(() => fillTemplate('echo {name}', { name: '$(id)' })).toThrow(CommandError);
  });
});

describe('runCommand', () => {
  it('resolves with what the command printed', async () => {
    expect(await runCommand('printf \'{"userId":"%s"}\' {name}', { name: 'u-1' })).toBe('{"userId":"u-1"}');
  });

  it('rejects a command that exits non-zero, naming it, its exit and its stderr', async () => {
    await expect(runCommand('echo no such container >&2; exit 3')).rejects.toThrow(
      /`echo no such container >&2; exit 3` exited 3: no such container/,
    );
  });

  it('kills a command that outlives its bound, with what it started', async () => {
    // The background sleep holds stdout open: only a kill of the whole group lets the command end at
    // all before the test's own timeout.
    await expect(runCommand('sleep 600 & sleep 600', {}, { timeoutMs: 200 })).rejects.toThrow(
      /longer than 200 ms; killed/,
    );
  });
});
