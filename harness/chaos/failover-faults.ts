import type { NativeHa } from '../../contract/native.ts';
import type { Fault } from './nemesis.ts';

/*
 * Faults of an `ha` stack's members (native:ha: stack/target/extras.ts). Each heal brings the member
 * back and waits until it serves again in whatever role the cluster gives it now.
 */

/**
 * The member's host crashing: its links drop (whatever WAL was on its way to a standby is lost with the
 * host, as on a real network), and its Patroni agent, postmaster and backends are SIGKILLed together. The
 * heal restores the links and starts the agent, which rejoins as a standby (crash recovery, then pg_rewind
 * onto the new primary's timeline); it resolves once the member streams again.
 */
export function crashMember(ha: NativeHa, member: string): Fault {
  return {
    kind: 'crash',
    target: member,
    inject: () => ha.crashMember(member),
    heal: () => ha.rejoinMember(member),
  };
}

/**
 * One member cut off from etcd and from its peers while HAProxy and clients still reach it directly: it
 * can no longer renew the leader lock or ship WAL. The heal restores the links; it resolves once the
 * member streams again (as a standby, after pg_rewind, if it was replaced).
 */
export function isolateMember(ha: NativeHa, member: string): Fault {
  return {
    kind: 'isolate',
    target: member,
    inject: () => ha.isolateMember(member),
    heal: () => ha.rejoinMember(member),
  };
}

/**
 * SIGKILL whichever server the Sentinels name master of `group` at injection; the heal restarts it, and
 * the Sentinels turn it into a replica of the master they promoted meanwhile.
 */
export function killRedisMaster(
  ha: NativeHa,
  group: 'queue' | 'cache',
): Fault & { victim(): string | undefined } {
  let victim: string | undefined;
  return {
    kind: 'kill',
    target: `redis ${group} master`,
    victim: () => victim,
    inject: async () => {
      victim = await ha.redisMaster(group);
      if (!victim) throw new Error(`the Sentinels name no master for the ${group} Redis`);
      await ha.killRedis(victim);
    },
    heal: async () => {
      if (victim) await ha.restartRedis(victim);
    },
  };
}
