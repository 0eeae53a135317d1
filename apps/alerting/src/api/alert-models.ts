import { contractOf } from '@citypulse/contracts';
import { defineModel } from '@citypulse/rest';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { ALERT_COLUMNS, EVENT_VIEW_COLUMNS } from '../output/alert-store';

/**
 * The OpenAPI models of the alerts REST API. A field that is the alerts contract's (alert.avsc)
 * takes its type, enum symbols, nullability and doc from the contract — times as ISO-8601 text —
 * and the field lists are the ones the store selects (alert-store.ts), so the document says what
 * the queries return. The alerts table's own columns (resolution, acknowledgement) are described
 * here.
 */

interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
}

const CONTRACT_FIELDS = new Map(
  ((contractOf('alerts').schema as { fields: AvroField[] }).fields ?? []).map((f) => [f.name, f]),
);

/** The OpenAPI property of an Avro field as the REST API shows it. */
export function avroProperty(field: AvroField): ApiPropertyOptions {
  let type = field.type;
  let nullable = false;
  if (Array.isArray(type)) {
    nullable = type.includes('null');
    type = type.find((t) => t !== 'null');
  }
  const t = type as string | { type?: string; logicalType?: string; symbols?: string[] };
  const schema: ApiPropertyOptions =
    typeof t === 'object' && t.logicalType === 'timestamp-millis'
      ? { type: 'string', format: 'date-time' }
      : typeof t === 'object' && t.type === 'enum'
        ? { type: 'string', enum: [...(t.symbols ?? [])] }
        : t === 'double' || t === 'float'
          ? { type: 'number', format: 'double' }
          : t === 'long' || t === 'int'
            ? { type: 'integer' }
            : { type: 'string' };
  const doc = field.doc?.replace(/epoch millis/, 'ISO-8601');
  return { ...schema, ...(nullable && { nullable: true }), ...(doc && { description: doc }) };
}

/** Columns of the alerts table that are not the contract's (or mean something else there). */
const ALERT_OWN: Record<string, ApiPropertyOptions> = {
  status: {
    type: 'string',
    enum: ['FIRING', 'RESOLVED'],
    description: 'FIRING while the alert is open; RESOLVED once it resolved.',
  },
  fired_at: {
    type: 'string',
    format: 'date-time',
    description: 'Event time the episode started (its FIRING), ISO-8601 UTC.',
  },
  resolved_at: {
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Event time of its RESOLVED, ISO-8601 UTC; null while open.',
  },
  acknowledged_at: {
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When it was first acknowledged (POST /alerts/{alertId}/ack); null before.',
  },
  acknowledged_by: {
    type: 'string',
    nullable: true,
    description: 'Who first acknowledged it; null before.',
  },
};

function propertiesOf(
  columns: readonly string[],
  own: Record<string, ApiPropertyOptions>,
): Record<string, ApiPropertyOptions> {
  return Object.fromEntries(
    columns.map((c) => {
      const field = CONTRACT_FIELDS.get(c);
      const property = own[c] ?? (field && avroProperty(field));
      if (!property)
        throw new Error(`alert-models: column ${c} is neither the contract's nor described`);
      return [c, property];
    }),
  );
}

/** An alert (episode) with its state and acknowledgement: GET /alerts/open, /alerts/{alertId}. */
export const AlertModel = defineModel('Alert', propertiesOf(ALERT_COLUMNS, ALERT_OWN));

/** One FIRING or RESOLVED record of the history: GET /alerts/history. */
export const AlertEventModel = defineModel('AlertEvent', propertiesOf(EVENT_VIEW_COLUMNS, {}));
