import { type Config, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { type Role, type Running, roles } from './roles.ts';

/**
 * One entry point, one role per process, so that any role can be killed alone:
 *   tsx service/main.ts api|relay|worker|recon|all
 * (the mock bank they pay out through is faultline's, not the service's: fakes/bank/main.ts).
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
  const selected: Role[] = role === 'all' ? ['api', 'relay', 'worker', 'recon'] : [role];
  const running: Running[] = [];
  try {
    for (const r of selected)
      running.push(await roles[r](roleConfig(config, r, role === 'all'), log.child({ role: r })));
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  if (config.SABOTAGE.size > 0) {
    log.warn({ sabotage: [...config.SABOTAGE] }, 'SABOTAGE MODE: this process is deliberately broken');
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

/**
 * In `all` mode the roles share one process and one metrics registry: the API keeps PORT and OPS_PORT
 * (its /metrics shows every role's metrics), and the other roles' ops listeners take a spare port.
 */
function roleConfig(config: Config, role: Role, all: boolean): Config {
  if (!all || role === 'api') return config;
  return { ...config, PORT: 0, OPS_PORT: 0 };
}

void main();
