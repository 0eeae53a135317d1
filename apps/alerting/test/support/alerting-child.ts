/**
 * The alerting service in a process of its own, for tests that kill -9 it: the config from the
 * environment as in production, the topics of the test run from IT_TOPICS (JSON). Prints
 * {"ready":true} once consuming.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { alertingConfigSchema } from '../../src/config';
import { startAlerting, type AlertingTopics } from '../../src/main';

const env = process.env;
const topics = JSON.parse(env.IT_TOPICS ?? '') as AlertingTopics;
startAlerting(loadConfig(alertingConfigSchema, env), { topics, defaultMetrics: false }).then(
  () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
