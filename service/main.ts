import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { type Role, type Running, roles } from './roles.ts';

/**
 * One entry point, one role per process, so that any role can be killed alone:
 *   tsx service/main.ts api|relay|worker|recon|bank|all
 */
async function main() {
  const role = process.argv[2] as Role | 'all' | undefined;
  const known = [...Object.keys(roles), 'all'];
  if (!role || !known.includes(role)) {
    process.stderr.write(`usage: tsx service/main.ts <${known.join('|')}>\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger({ role, level: config.LOG_LEVEL });
  const selected: Role[] = role === 'all' ? ['bank', 'api', 'relay', 'worker', 'recon'] : [role];
  const running: Running[] = [];
  try {
    for (const r of selected) running.push(await roles[r](config, log.child({ role: r })));
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  log.info({ roles: selected, port: config.PORT }, 'started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: draining in-flight work');
    for (const r of running.reverse()) await r.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
