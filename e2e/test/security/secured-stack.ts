/**
 * What the security tests share: the secure profile of the native stack (deploy/local/stack.sh up
 * secure: Kafka with SASL/SCRAM-SHA-512 over TLS, the schema registry behind basic auth), the
 * environment a service gets to use it — the same variables every service reads (KAFKA_SASL_*,
 * KAFKA_SSL, KAFKA_SSL_CA_FILE, SCHEMA_REGISTRY_*), nothing else — and services as child processes.
 */
import { createKafka } from '@citypulse/kafka';
import { repoRoot } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess, baseEnv, connectionOf, required, type ProcessEnv } from '../../src';

export const log = (m: string) => process.stdout.write(`[security] ${m}\n`);

/** The stack's settings (env files under the caller's exports), as every spawned service sees them. */
export const stack = baseEnv();

const stackSh = join(repoRoot(), 'deploy/local/stack.sh');
const profile = (...args: string[]) =>
  spawnSync(stackSh, [...args, 'secure'], { env: stack, encoding: 'utf8', timeout: 600_000 });

/**
 * Starts the secure profile unless it is up (then it is left as found); resolves with a function
 * that stops it again when this call started it.
 */
export function useSecureProfile(): () => void {
  if (profile('status', '--quiet').status === 0) {
    log('the secure profile is up already (it stays up)');
    return () => undefined;
  }
  log('starting the secure profile (deploy/local/stack.sh up secure)');
  const up = profile('up');
  if (up.status !== 0)
    throw new Error(`deploy/local/stack.sh up secure failed:\n${up.stdout}\n${up.stderr}`);
  return () => {
    log('stopping the secure profile this run started');
    profile('down');
  };
}

/** The secured broker's and the registry proxy's credentials, from the env file. */
export const secrets = {
  kafkaUser: required(stack, 'KAFKA_SECURE_USERNAME'),
  kafkaPassword: required(stack, 'KAFKA_SECURE_PASSWORD'),
  registryUser: required(stack, 'SCHEMA_REGISTRY_SECURE_USERNAME'),
  registryPassword: required(stack, 'SCHEMA_REGISTRY_SECURE_PASSWORD'),
};
export const caFile = join(stack.CITYPULSE_STACK, 'data/kafka-secure/tls/ca.pem');
export const brokerLog = join(stack.CITYPULSE_STACK, 'logs/kafka-secure.log');
export const registryUrl = `http://127.0.0.1:${required(stack, 'SCHEMA_REGISTRY_SECURE_PORT')}/apis/ccompat/v7`;

/** What a service is given to use the secured broker and registry: the variables of .env.example. */
export function secureEnv(overrides: ProcessEnv = {}): ProcessEnv {
  return {
    ...stack,
    KAFKA_BROKERS: `127.0.0.1:${required(stack, 'KAFKA_SECURE_PORT')}`,
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: secrets.kafkaUser,
    KAFKA_SASL_PASSWORD: secrets.kafkaPassword,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: caFile,
    SCHEMA_REGISTRY_URL: registryUrl,
    SCHEMA_REGISTRY_USERNAME: secrets.registryUser,
    SCHEMA_REGISTRY_PASSWORD: secrets.registryPassword,
    ...overrides,
  };
}

/** A kafkajs client of the test itself, configured from an env like secureEnv()'s. */
export function kafkaOf(env: ProcessEnv, clientId = 'citypulse-security-test'): Kafka {
  return createKafka({
    ...connectionOf(env).kafka,
    clientId,
    connectionTimeoutMs: 10_000,
    logLevel: 'nothing', // the refusals the tests provoke are asserted, not logged
  });
}

/** A TCP port nothing listens on right now (for a service's metrics or HTTP port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A service (or command) of the repository as a child process logging into `dir`. */
export function service(
  name: string,
  dir: string,
  args: string[],
  env: ProcessEnv,
  command = process.execPath,
): ManagedProcess {
  return new ManagedProcess({
    name,
    command,
    args,
    env,
    cwd: repoRoot(),
    logFile: join(dir, `${name}.log`),
  });
}

/** `node apps/<app>/dist/main.js` */
export const appMain = (app: string) => join(repoRoot(), `apps/${app}/dist/main.js`);

/**
 * The broker's refusals of a password: its log's "Failed authentication" lines (Kafka logs each at
 * INFO, with the client's address) from `from` (a byte offset, see brokerLogSize) on.
 */
export function failedAuthentications(from: number): number {
  const text = readFileSync(brokerLog).subarray(from).toString('utf8');
  return text.split('\n').filter((l) => l.includes('Failed authentication with')).length;
}

export const brokerLogSize = (): number => (existsSync(brokerLog) ? statSync(brokerLog).size : 0);

/** Waits until a process exits; its exit code, or undefined when it is still running after `ms`. */
export async function exitWithin(
  p: ManagedProcess,
  ms: number,
): Promise<number | null | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  const code = await Promise.race([p.waitExit(), timeout]);
  clearTimeout(timer);
  return code;
}
