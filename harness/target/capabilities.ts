import { NATIVE_CAPABILITIES, type NativeCapability } from '../../contract/native.ts';
import { LINKS, type TargetDescription } from '../../contract/target.ts';

/**
 * What a scenario may need from a target beyond its API, each named once: a scenario lists the ones it
 * needs (Scenario.needs) and is skipped, naming what is missing, on a target without them. Most come
 * from a field of the target description; the `native:` ones only the stack faultline starts itself
 * has (contract/native.ts). docs/targets.md#capabilities is this table in prose.
 */
export const DESCRIBED_CAPABILITIES = {
  users: 'test users with API keys, made on demand (users.create)',
  funding: 'money for test accounts (funding: an operator key or a command)',
  state: 'reads of balances, ledger sums, payouts and stored idempotency keys (state)',
  'state:profiles': 'reads of profile versions (state.queries.profiles, or an http state with profiles)',
  bank: "faultline's mock bank in the target's bank link (bank)",
  recon: 'a way to run the target’s reconciliation now (recon)',
} as const;

/** `<action>:<role>`: a component of that role the nemesis can hit, with the action's heal. */
const ACTIONS = { kill: 'restart', pause: 'resume', terminate: 'restart' } as const;

export type Capability =
  | keyof typeof DESCRIBED_CAPABILITIES
  | `${keyof typeof ACTIONS}:${string}`
  | `link:${(typeof LINKS)[number]}`
  | NativeCapability;

/** Every capability a scenario could name, with what it means (for `faultline list` and the docs). */
export function describeCapability(capability: Capability): string {
  if (capability in DESCRIBED_CAPABILITIES)
    return DESCRIBED_CAPABILITIES[capability as keyof typeof DESCRIBED_CAPABILITIES];
  if (capability in NATIVE_CAPABILITIES)
    return `only the native stack: ${NATIVE_CAPABILITIES[capability as NativeCapability]}`;
  const [kind, what] = capability.split(':') as [string, string];
  if (kind === 'link') return `the ${what} link through faultline's proxies (proxies.links.${what})`;
  const heal = ACTIONS[kind as keyof typeof ACTIONS];
  return `a ${what} component with ${kind} and ${heal} commands (components)`;
}

/** The capabilities a description gives. */
export function describedCapabilities(d: TargetDescription): Set<Capability> {
  const have = new Set<Capability>();
  if (d.users) have.add('users');
  if (d.funding) have.add('funding');
  if (d.state) {
    have.add('state');
    if (d.state.kind === 'sql' ? d.state.queries.profiles : d.state.profiles) have.add('state:profiles');
  }
  if (d.bank) have.add('bank');
  if (d.recon) have.add('recon');
  for (const link of LINKS) if (d.proxies?.links[link]) have.add(`link:${link}`);
  for (const c of Object.values(d.components))
    for (const [action, heal] of Object.entries(ACTIONS))
      if (c[action as keyof typeof ACTIONS] && c[heal]) have.add(`${action}:${c.role}` as Capability);
  return have;
}

/** The ones of `needs` that `have` lacks, in the order the scenario lists them. */
export function missingCapabilities(
  needs: readonly Capability[],
  have: ReadonlySet<Capability>,
): Capability[] {
  return needs.filter((n) => !have.has(n));
}
