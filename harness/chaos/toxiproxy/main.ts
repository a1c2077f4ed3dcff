import { parseArgs } from 'node:util';
import { startToxiproxyServer } from './server.ts';

/**
 * Our toxiproxy-server, for when the real binary is not installed:
 *   tsx harness/chaos/toxiproxy/main.ts --host 127.0.0.1 --port 8474
 * Prints one line with the API address once it listens; SIGTERM or SIGINT stops it.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8474' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, not ${JSON.stringify(values.port)}\n`);
    process.exit(2);
  }
  const server = await startToxiproxyServer({ host: values.host, port }).catch((err: Error) => {
    process.stderr.write(`toxiproxy: cannot listen on ${values.host}:${port}: ${err.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`toxiproxy API listening on ${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

void main();
