import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { HaParts, MemberLink, PatroniMember, RedisGroup, RedisHandle } from '../../stack/index.ts';
import type { Fault } from './nemesis.ts';
import { cut } from './network-faults.ts';

/*
 * Faults of an `ha` stack's members (stack/ha-postgres.ts, stack/sentinel.ts). Each heal brings the
 * member back and waits until it serves again in whatever role the cluster gives it now.
 */

/** How long a healed PostgreSQL member may take to stream again (crash recovery, pg_rewind, catch-up). */
const REJOIN_MS = 90_000;

/** The proxies between one member and the rest of the cluster (etcd, its peers' replication and REST). */
function memberLinks(ha: HaParts, member: PatroniMember): ToxiproxyProxy[] {
  return (['dcs', 'pg', 'rest'] as const).map((kind) => {
    const link = ha.postgres.links.links[`${member.name}-${kind}` as MemberLink];
    if (!link) throw new Error(`no ${kind} link for ${member.name}`);
    return link;
  });
}

/** Cuts several links as one fault; the heal restores them all. */
function cutLinks(links: ToxiproxyProxy[]): Fault[] {
  return links.map((l) => cut(l));
}

/**
 * Waits until every member streams from the leader on its timeline again (the healed one included:
 * after crash recovery and pg_rewind); throws after REJOIN_MS.
 */
async function rejoined(ha: HaParts): Promise<void> {
  await ha.postgres.cluster.waitHealthy(REJOIN_MS);
}

/**
 * The member's host crashing: its links drop (whatever WAL was on its way to a standby is lost with the
 * host, as on a real network), and its Patroni agent, postmaster and backends are SIGKILLed together. The
 * heal restores the links and starts the agent, which rejoins as a standby (crash recovery, then pg_rewind
 * onto the new primary's timeline); it resolves once the member streams again.
 */
export function crashMember(ha: HaParts, member: PatroniMember): Fault {
  const links = cutLinks(memberLinks(ha, member));
  return {
    kind: 'crash',
    target: member.name,
    inject: async () => {
      await Promise.all([member.crash(), ...links.map((l) => l.inject())]);
    },
    heal: async () => {
      for (const l of links) await l.heal();
      if (!member.running) await member.start();
      await rejoined(ha);
    },
  };
}

/**
 * One member cut off from etcd and from its peers (its three links disabled) while HAProxy and clients
 * still reach it directly: it can no longer renew the leader lock or ship WAL. The heal restores the
 * links; it resolves once the member streams again (as a standby, after pg_rewind, if it was replaced).
 */
export function isolateMember(ha: HaParts, member: PatroniMember): Fault {
  const links = cutLinks(memberLinks(ha, member));
  return {
    kind: 'isolate',
    target: member.name,
    inject: async () => {
      for (const l of links) await l.inject();
    },
    heal: async () => {
      for (const l of links) await l.heal();
      await rejoined(ha);
    },
  };
}

/**
 * SIGKILL whichever server the Sentinels name master of `group` at injection; the heal restarts it, and
 * the Sentinels turn it into a replica of the master they promoted meanwhile.
 */
export function killRedisMaster(group: RedisGroup): Fault & { victim(): RedisHandle | undefined } {
  let victim: RedisHandle | undefined;
  return {
    kind: 'kill',
    target: `${group.masterName} master`,
    victim: () => victim,
    inject: async () => {
      victim = await group.master();
      if (!victim) throw new Error(`the Sentinels name no master for ${group.masterName}`);
      victim.kill('SIGKILL');
      await victim.exited;
    },
    heal: async () => {
      if (victim && !victim.running) await victim.restart();
    },
  };
}
