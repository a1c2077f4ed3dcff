import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from './binaries.ts';
import { mkdirReachable, postgresAccount } from './postgres-account.ts';

/**
 * The TLS material of one `--tls` stack: a throwaway CA made at start (it signs one server certificate
 * for 127.0.0.1 and localhost, and its key is deleted once it has), the server's certificate and key
 * for Redis and the bank, and a copy of the key the PostgreSQL account owns (Postgres refuses a key
 * another user can read). Nothing outlives the stack directory.
 */
export interface StackTls {
  dir: string;
  /** Every client's trust anchor: `sslrootcert`, TLS_CA_FILE, redis-cli --cacert. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The same key, owned by the account PostgreSQL runs as (mode 0600). */
  postgresKeyFile: string;
}

/** A day: a throwaway CA for one stack; nothing it signs should outlive a test run. */
const DAYS = '1';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (err as Error).message}`);
  }
}

/** Makes the CA and the server certificate in `<stack dir>/tls` with the openssl CLI. */
export function makeStackTls(stackDir: string): StackTls {
  if (!onPath('openssl'))
    throw new Error(
      '--tls needs the openssl program (Debian: apt-get install openssl; npm run up installs it as root)',
    );
  const dir = join(stackDir, 'tls');
  mkdirReachable(dir);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      ...['-keyout', 'ca.key', '-out', 'ca.crt', '-days', DAYS],
      ...['-subj', `/CN=faultline throwaway CA ${Date.now()}`],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ],
    dir,
  );
  openssl(
    ['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
    dir,
  );
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      ...['-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'],
      ...['-days', DAYS, '-out', 'server.crt', '-extfile', 'server.ext'],
    ],
    dir,
  );
  // The CA has signed what it had to: without its key, nothing else can ever be signed by it.
  for (const f of ['ca.key', 'server.csr', 'ca.srl']) rmSync(join(dir, f), { force: true });
  chmodSync(join(dir, 'server.key'), 0o600);
  for (const f of ['ca.crt', 'server.crt']) chmodSync(join(dir, f), 0o644);
  const postgresKeyFile = join(dir, 'postgres-server.key');
  copyFileSync(join(dir, 'server.key'), postgresKeyFile);
  chmodSync(postgresKeyFile, 0o600);
  const account = postgresAccount();
  if (account) chownSync(postgresKeyFile, account.uid, account.gid);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    postgresKeyFile,
  };
}
