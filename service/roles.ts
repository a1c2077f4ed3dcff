import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** A started role: stop() drains its in-flight work and closes its connections. */
export interface Running {
  stop(): Promise<void>;
}

export type Role = 'api' | 'relay' | 'worker' | 'recon';

type Starter = (config: Config, log: Logger) => Promise<Running>;

const lazy =
  (load: () => Promise<{ start: Starter }>): Starter =>
  async (config, log) =>
    (await load()).start(config, log);

/** Each role's module is loaded only when the role runs, so a relay process never builds the API. */
export const roles: Record<Role, Starter> = {
  api: lazy(() => import('./api/role.ts')),
  relay: lazy(() => import('./relay/role.ts')),
  worker: lazy(() => import('./worker/role.ts')),
  recon: lazy(() => import('./recon/role.ts')),
};
