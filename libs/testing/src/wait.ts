import { randomBytes } from 'node:crypto';

/** A unique name per test (topic, group, collection, table), so tests never share state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Polls `check` until it returns a truthy value, instead of sleeping a guessed time. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 200, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The admin call waitForGroupMember needs (a kafkajs Admin has it). */
export interface GroupDescriber {
  describeGroups(ids: string[]): Promise<{ groups: { state: string; members: unknown[] }[] }>;
}

/**
 * Waits until a consumer group is Stable with a member: a new group that starts at the end of a
 * topic owns its partitions only then, so a test produces after this and its records are seen.
 */
export function waitForGroupMember(
  admin: GroupDescriber,
  groupId: string,
  timeoutMs = 60_000,
): Promise<true> {
  return waitFor(
    async (): Promise<true | false> => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length > 0;
    },
    { timeoutMs, what: `consumer group ${groupId} to be stable with a member` },
  );
}
