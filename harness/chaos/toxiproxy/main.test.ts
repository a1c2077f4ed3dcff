import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { expect, it } from 'vitest';

// Starting tsx takes a moment, several seconds on a loaded 2-core machine: the suite's own 30 s
// timeout tells a hang from slowness.

it('runs as a process: prints its address, serves the API, and stops on SIGTERM', async () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const url = /http:\/\/\S+/.exec(line.toString())?.[0];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const toxiproxy = new Toxiproxy(url ?? '');
    await toxiproxy.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['p']);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  } finally {
    child.kill('SIGKILL');
  }
});
