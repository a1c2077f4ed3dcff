import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadBankConfig } from './config.ts';
import { startBank } from './server.ts';

/**
 * faultline's mock bank, on its own: `tsx fakes/bank/main.ts` (settings in fakes/bank/config.ts). A
 * service under test is configured to charge it; the harness reads its ledger and switches its
 * faults. SIGTERM or SIGINT stops it after the requests it holds, with the ledger flushed.
 */
async function main() {
  let config: ReturnType<typeof loadBankConfig>;
  try {
    config = loadBankConfig();
  } catch (err) {
    process.stderr.write(`bank: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const log = pino({ level: config.LOG_LEVEL, base: { role: 'bank', pid: process.pid } });
  const { BANK_TLS_CERT_FILE: certFile, BANK_TLS_KEY_FILE: keyFile } = config;
  const bank = await startBank({
    ...(certFile && keyFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {}),
    dataDir: config.BANK_DATA_DIR,
    host: config.HOST,
    port: config.PORT,
    seed: config.BANK_SEED,
    log,
    ops: { host: config.OPS_HOST, port: config.OPS_PORT, token: config.OPS_TOKEN },
    signingKey: config.BANK_SIGNING_KEY,
  }).catch((err: unknown) => {
    log.fatal({ err }, 'start-up failed');
    process.exit(1);
  });
  log.info({ url: bank.url, opsUrl: bank.opsUrl }, 'started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await bank.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
