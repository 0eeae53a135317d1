// Integration test against the local stack's schema registry (Apicurio, Confluent-compatible API
// at SCHEMA_REGISTRY_URL): register an Avro schema, encode and decode in the Confluent wire format
// with @kafkajs/confluent-schema-registry, evolve it compatibly, and see an incompatible change
// refused under the default BACKWARD compatibility.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { stackEnv, uniqueName } from '../src';

const env = stackEnv();
const url = env.SCHEMA_REGISTRY_URL.replace(/\/$/, '');
const registry = new SchemaRegistry({ host: url });

const reading = (fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'Reading', namespace: 'io.citypulse.test', fields });
const v1 = reading([
  { name: 'sensorId', type: 'string' },
  { name: 'speedKmh', type: 'double' },
]);
// Adds a field with a default: readers on v2 can read v1 data -> BACKWARD compatible.
const v2 = reading([
  { name: 'sensorId', type: 'string' },
  { name: 'speedKmh', type: 'double' },
  { name: 'zone', type: 'string', default: 'unknown' },
]);
// Adds a field without a default: readers on v3 cannot read v2 data -> not BACKWARD compatible.
const v3 = reading([
  { name: 'sensorId', type: 'string' },
  { name: 'speedKmh', type: 'double' },
  { name: 'zone', type: 'string', default: 'unknown' },
  { name: 'occupancy', type: 'double' },
]);

/** A raw call to the Confluent REST API, for what the client library does not expose. */
async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('schema registry (local stack)', () => {
  const subjects: string[] = [];
  afterAll(async () => {
    for (const s of subjects)
      await api('DELETE', `/subjects/${encodeURIComponent(s)}`).catch(() => undefined);
  });

  it('registers an Avro schema and round-trips a record in the Confluent wire format', async () => {
    const subject = uniqueName('int-reading-value');
    subjects.push(subject);
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject });
    expect(id).toBeGreaterThan(0);

    const record = { sensorId: 'S-17', speedKmh: 42.5 };
    const encoded = await registry.encode(id, record);
    expect(encoded.readUInt8(0)).toBe(0); // magic byte
    expect(encoded.readInt32BE(1)).toBe(id); // schema id
    // A fresh client knows nothing: decoding must fetch the schema by id from the registry.
    const decoded: unknown = await new SchemaRegistry({ host: url }).decode(encoded);
    expect(decoded).toEqual(record);

    expect(await registry.getLatestSchemaId(subject)).toBe(id);
    const subjectList = await api('GET', '/subjects');
    expect(subjectList.json).toEqual(expect.arrayContaining([subject]));
  });

  it('accepts a compatible change and refuses an incompatible one (BACKWARD)', async () => {
    const subject = uniqueName('int-evolve-value');
    subjects.push(subject);
    const first = await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject });
    const oldBytes = await registry.encode(first.id, { sensorId: 'S-1', speedKmh: 3 });

    const second = await registry.register({ type: SchemaType.AVRO, schema: v2 }, { subject });
    expect(second.id).not.toBe(first.id);
    // Data written with v1 still decodes (with its writer schema, looked up by id).
    expect(await registry.decode(oldBytes)).toEqual({ sensorId: 'S-1', speedKmh: 3 });
    const config = await api('GET', `/config/${encodeURIComponent(subject)}`);
    expect(config.json).toMatchObject({ compatibilityLevel: 'BACKWARD' });

    const refused = registry.register({ type: SchemaType.AVRO, schema: v3 }, { subject });
    // 409 is the Confluent API's "incompatible schema" answer.
    await expect(refused).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/incompatible/i),
    });
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);
  });

  it('enforces BACKWARD by default on a subject nobody configured', async () => {
    // Straight through the REST API: the client library sets a per-subject config on first
    // registration, this checks the registry's own default.
    const subject = uniqueName('int-default-value');
    subjects.push(subject);
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    expect((await api('POST', path, { schema: v1 })).status).toBe(200);
    expect((await api('POST', path, { schema: v2 })).status).toBe(200);
    const refused = await api('POST', path, { schema: v3 });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error_code: 409 });
  });
});
