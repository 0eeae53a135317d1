import type { Alert } from '@citypulse/contracts';
import type { Pool } from 'pg';

/** An alert (episode) as stored and served: its latest state and acknowledgement. */
export interface StoredAlert {
  alert_id: string;
  rule: string;
  alert_type: string;
  severity: string;
  subject_id: string;
  zone_id: string | null;
  status: string;
  message: string;
  value: number | null;
  threshold: number | null;
  related_id: string | null;
  fired_at: string;
  resolved_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

/** One FIRING or RESOLVED record of the history. */
export interface StoredAlertEvent {
  event_id: string;
  alert_id: string;
  status: string;
  alert_type: string;
  severity: string;
  rule: string;
  subject_id: string;
  zone_id: string | null;
  message: string;
  value: number | null;
  threshold: number | null;
  related_id: string | null;
  event_time: string;
}

const EVENT_COLUMNS = [
  'event_id',
  'alert_id',
  'status',
  'alert_type',
  'severity',
  'rule',
  'subject_id',
  'zone_id',
  'message',
  'value',
  'threshold',
  'source_topic',
  'source_event_id',
  'related_id',
  'event_time',
  'fired_at',
] as const;

/** What the REST API shows of an alert (StoredAlert), in this order; the OpenAPI model follows it. */
export const ALERT_COLUMNS = [
  'alert_id',
  'rule',
  'alert_type',
  'severity',
  'subject_id',
  'zone_id',
  'status',
  'message',
  'value',
  'threshold',
  'related_id',
  'fired_at',
  'resolved_at',
  'acknowledged_at',
  'acknowledged_by',
] as const satisfies readonly (keyof StoredAlert)[];

/** Written to alert_events but not shown by the REST API. */
const EVENT_HIDDEN = ['source_topic', 'source_event_id', 'fired_at'] as const;
type ShownEventColumn = Exclude<(typeof EVENT_COLUMNS)[number], (typeof EVENT_HIDDEN)[number]>;

/** What the REST API shows of a history record (StoredAlertEvent); the OpenAPI model follows it. */
export const EVENT_VIEW_COLUMNS: readonly (ShownEventColumn & keyof StoredAlertEvent)[] =
  EVENT_COLUMNS.filter(
    (c): c is ShownEventColumn => !(EVENT_HIDDEN as readonly string[]).includes(c),
  );

const ALERT_SELECT = `SELECT ${ALERT_COLUMNS.join(', ')} FROM alerts`;

/** A page of the history, and whether the range holds more after it. */
export interface HistoryPage {
  events: StoredAlertEvent[];
  more: boolean;
}

/**
 * PostgreSQL tables alert_events (history) and alerts (one row per episode), written from the
 * alerts topic in batches: a replay inserts nothing twice (event_id key) and a replayed FIRING
 * never reopens a RESOLVED alert.
 */
export class AlertStore {
  constructor(private readonly pool: Pool) {}

  async write(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const values: unknown[] = [];
      const rows = alerts.map((a) => {
        const row = [
          a.event_id,
          a.alert_id,
          a.status,
          a.alert_type,
          a.severity,
          a.rule,
          a.subject_id,
          a.zone_id,
          a.message,
          a.value,
          a.threshold,
          a.source_topic,
          a.source_event_id,
          a.related_id,
          new Date(a.event_time),
          a.fired_at === null ? null : new Date(a.fired_at),
        ];
        const base = values.length;
        values.push(...row);
        return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await client.query(
        `INSERT INTO alert_events (${EVENT_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}
         ON CONFLICT (event_id) DO NOTHING`,
        values,
      );
      // one statement per alert, in topic order (a FIRING and its RESOLVED may share a batch)
      for (const a of alerts) {
        const firedAt = new Date(a.fired_at ?? a.event_time);
        const resolved = a.status === 'RESOLVED';
        await client.query(
          `INSERT INTO alerts (alert_id, rule, alert_type, severity, subject_id, zone_id, status, message,
             value, threshold, related_id, fired_at, resolved_at, fired_event_id, resolved_event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (alert_id) DO UPDATE SET
             status = CASE WHEN alerts.status = 'RESOLVED' THEN alerts.status ELSE EXCLUDED.status END,
             resolved_at = COALESCE(alerts.resolved_at, EXCLUDED.resolved_at),
             resolved_event_id = COALESCE(alerts.resolved_event_id, EXCLUDED.resolved_event_id),
             related_id = COALESCE(alerts.related_id, EXCLUDED.related_id),
             updated_at = now()`,
          [
            a.alert_id,
            a.rule,
            a.alert_type,
            a.severity,
            a.subject_id,
            a.zone_id,
            a.status,
            a.message,
            a.value,
            a.threshold,
            a.related_id,
            firedAt,
            resolved ? new Date(a.event_time) : null,
            resolved ? `${a.alert_id}|FIRING` : a.event_id,
            resolved ? a.event_id : null,
          ],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Open alerts, newest first (then by alert_id); optionally of one zone. */
  async open(q: { zone?: string; limit: number }): Promise<StoredAlert[]> {
    const { rows } = await this.pool.query<StoredAlert>(
      `${ALERT_SELECT} WHERE status = 'FIRING' AND ($1::text IS NULL OR zone_id = $1)
       ORDER BY fired_at DESC, alert_id LIMIT $2`,
      [q.zone ?? null, q.limit],
    );
    return rows.map(isoTimes);
  }

  /**
   * A page of the FIRING and RESOLVED records of a time range (event time), optionally of one
   * zone, in (event_time, event_id) order, after the record `after` when given (keyset
   * pagination); one row beyond the page is read to know whether there are more. Undefined when
   * `after` names no record.
   */
  async history(q: {
    zone?: string;
    from: Date;
    to: Date;
    limit: number;
    after?: string;
  }): Promise<HistoryPage | undefined> {
    let cursor: { event_time: Date; event_id: string } | null = null;
    if (q.after !== undefined) {
      const found = await this.pool.query<{ event_time: Date; event_id: string }>(
        'SELECT event_time, event_id FROM alert_events WHERE event_id = $1',
        [q.after],
      );
      if (!found.rows[0]) return undefined;
      cursor = found.rows[0];
    }
    const { rows } = await this.pool.query<StoredAlertEvent>(
      `SELECT ${EVENT_VIEW_COLUMNS.join(', ')} FROM alert_events
       WHERE event_time >= $2 AND event_time < $3 AND ($1::text IS NULL OR zone_id = $1)
         AND ($5::timestamptz IS NULL OR (event_time, event_id) > ($5::timestamptz, $6::text))
       ORDER BY event_time, event_id LIMIT $4`,
      [
        q.zone ?? null,
        q.from,
        q.to,
        q.limit + 1,
        cursor?.event_time ?? null,
        cursor?.event_id ?? null,
      ],
    );
    return { events: rows.slice(0, q.limit).map(isoTimes), more: rows.length > q.limit };
  }

  async get(alertId: string): Promise<StoredAlert | undefined> {
    const { rows } = await this.pool.query<StoredAlert>(`${ALERT_SELECT} WHERE alert_id = $1`, [
      alertId,
    ]);
    return rows[0] && isoTimes(rows[0]);
  }

  /** Acknowledges an alert (the first acknowledgement is kept); undefined when there is no such alert. */
  async acknowledge(alertId: string, by: string): Promise<StoredAlert | undefined> {
    await this.pool.query(
      `UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, now()),
         acknowledged_by = COALESCE(acknowledged_by, $2), updated_at = now()
       WHERE alert_id = $1`,
      [alertId, by],
    );
    return this.get(alertId);
  }
}

function isoTimes<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v instanceof Date) out[k] = v.toISOString();
  return out as T;
}
