import { defineConfig, kafkaEnv, logEnv, metricsEnv, schemaRegistryEnv } from '@citypulse/config';
import type { z } from 'zod';
import type { FlagSpec } from './flags';
import { SIMULATION_FLAG_ALIASES, SIMULATION_SWITCHES } from './simulation-env';

/**
 * The config of a simulated source: Kafka (with the app's client id), the schema registry, the
 * metrics port, the log level, and the app's own variables as one section named `section`.
 */
export function simulationConfig<K extends string, S extends z.ZodTypeAny>(options: {
  clientId: string;
  /** the metrics port variable and its default, e.g. TICKET_PRODUCER_METRICS_PORT, 9468 */
  metricsPort: { variable: string; default: number };
  section: K;
  env: S;
}) {
  return defineConfig({
    kafka: kafkaEnv({ defaultClientId: options.clientId }),
    registry: schemaRegistryEnv(),
    metrics: metricsEnv(options.metricsPort.variable, { default: options.metricsPort.default }),
    log: logEnv(),
    ...({ [options.section]: options.env } as Record<K, S>),
  });
}

/**
 * A simulated source's flags: one per variable of its section, the run variables' short names
 * and switches included; `aliases` adds the app's own short names.
 */
export function simulationFlags(spec: {
  command: string;
  prefix: string;
  variables: readonly string[];
  aliases?: Readonly<Record<string, string>>;
}): FlagSpec {
  return {
    command: spec.command,
    prefix: spec.prefix,
    variables: spec.variables,
    aliases: { ...SIMULATION_FLAG_ALIASES, ...spec.aliases },
    switches: SIMULATION_SWITCHES,
  };
}
