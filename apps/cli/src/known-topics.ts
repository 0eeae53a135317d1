import type { Admin } from 'kafkajs';
import { CliError, EXIT } from './errors';

/** The broker's own topics (`__consumer_offsets`, `__transaction_state`): hidden unless asked for. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

/** The topics on the cluster, sorted, without the internal ones unless `internal`. */
export async function listTopics(
  admin: Admin,
  opts: { internal?: boolean } = {},
): Promise<string[]> {
  const all = await admin.listTopics();
  return all.filter((t) => opts.internal || !isInternalTopic(t)).sort();
}

/** What asking for a topic that is not there gets: the topics that are (exit 66). */
export function unknownTopicError(
  asked: string,
  brokers: readonly string[],
  known: readonly string[],
): CliError {
  const list = known.length > 0 ? known.map((t) => `  ${t}`).join('\n') : '  (none)';
  return new CliError(
    `unknown topic '${asked}' on ${brokers.join(',')}; the topics there (${known.length}):\n${list}`,
    EXIT.noInput,
  );
}
