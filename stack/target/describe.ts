import type { Link, TargetDescription } from '../../contract/target.ts';
import type { Stack } from '../index.ts';
import type { ProcessHandle } from '../process.ts';
import { type Control, controlCommand } from './control.ts';
import { targetSql } from './sql.ts';

/** The proxy of each link, by the names stack/proxies.ts gives them. */
const PROXY_NAMES: Record<Link, string> = {
  postgres: 'postgres',
  'redis-queue': 'redisQueue',
  'redis-cache': 'redisCache',
  bank: 'bank',
};

/**
 * The stack's processes a scenario may hit, by name, with their roles; the bank is faultline's own. On
 * the ha topology the stores are clusters, not one process each: their members are struck through
 * `native:ha` (extras.ts), and only the service's roles are listed here.
 */
export function stackProcesses(stack: Stack): Array<{ name: string; role: string; proc: ProcessHandle }> {
  const services = stack.services
    .filter((s) => s.role !== 'bank')
    .map((s) => ({ name: s.name, role: s.role as string, proc: s as ProcessHandle }));
  if (stack.ha) return services;
  return [
    ...services,
    { name: 'postgres', role: 'postgres', proc: stack.postgres },
    { name: 'redis-queue', role: 'redis-queue', proc: stack.redisQueue },
    { name: 'redis-cache', role: 'redis-cache', proc: stack.redisCache },
  ];
}

/**
 * The target description of a running native stack: the reference service as faultline's built-in
 * target, described the way any other target is (contract/target.ts). Its users and process actions
 * are commands calling the stack's control listener; its state is read with the reference schema's
 * queries (stack/target/sql/); money comes from an operator's key.
 */
export function describeStack(
  stack: Stack,
  opts: { name: string; operatorKey: string; control: Pick<Control, 'url' | 'token'>; sabotage?: string },
): TargetDescription {
  const info = stack.info();
  const apis = stack.services.filter((s) => s.role === 'api');
  const recon = stack.services.find((s) => s.role === 'recon');
  const proxies = stack.proxies;
  const action = (name: string, a: string) => controlCommand(opts.control, `/processes/${name}/${a}`);
  return {
    name: opts.name,
    ...(opts.sabotage ? { sabotage: opts.sabotage } : {}),
    api: { urls: apis.map((a) => a.url) },
    ...(info.bank
      ? {
          bank: {
            url: info.bank.url,
            metrics: `${info.bank.opsUrl}/metrics`,
            ...(info.secrets.bankSigningKeyFile ? { signingKeyFile: info.secrets.bankSigningKeyFile } : {}),
            ...(info.tls ? { caFile: info.tls.caFile } : {}),
          },
        }
      : {}),
    users: { create: controlCommand(opts.control, '/users/{name}') },
    funding: { operatorKey: opts.operatorKey },
    state: {
      kind: 'sql',
      url: info.postgres.url,
      queries: {
        accounts: targetSql('accounts'),
        transfers: targetSql('transfers'),
        open: targetSql('open'),
        keys: targetSql('keys'),
        profiles: targetSql('profiles'),
      },
    },
    ...(recon ? { recon: { url: `${recon.opsUrl}/recon/run?timeoutMs=600000` } } : {}),
    ...(proxies
      ? {
          proxies: {
            url: proxies.apiUrl,
            links: Object.fromEntries(Object.entries(PROXY_NAMES).map(([link, name]) => [link, name])),
          },
        }
      : {}),
    components: Object.fromEntries(
      stackProcesses(stack).map(({ name, role }) => {
        const service = stack.services.find((s) => s.name === name);
        return [
          name,
          {
            role,
            ...(service ? { metrics: `${service.opsUrl}/metrics` } : {}),
            kill: action(name, 'kill'),
            terminate: action(name, 'terminate'),
            pause: action(name, 'pause'),
            resume: action(name, 'resume'),
            restart: action(name, 'restart'),
          },
        ];
      }),
    ),
  };
}
