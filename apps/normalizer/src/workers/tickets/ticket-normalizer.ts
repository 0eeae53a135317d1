import {
  TicketCategory,
  TicketChannel,
  TicketPriority,
  type SupportTicketNormalized,
  type SupportTicketRaw,
} from '@citypulse/contracts';
import { canonicalId } from '@citypulse/postgres';
import type { ZoneDirectory } from '../../reference/directories';
import {
  checkEventId,
  checkEventTime,
  ENVELOPE_REJECT_REASONS,
  optionalText,
  reject,
} from '../../runtime/checks';
import type { NormalizeResult } from '../../runtime/stream-definition';

/** Why a raw ticket was refused: a stable code for the DLQ headers and the metrics. */
export const TICKET_REJECT_REASONS = [
  ...ENVELOPE_REJECT_REASONS,
  'missing_ticket_id',
  'unknown_priority',
  'unknown_category',
  'unknown_channel',
  'unknown_zone',
] as const;
export type TicketRejectReason = (typeof TICKET_REJECT_REASONS)[number];

/** Reasons a newer reference snapshot might turn into an accepted ticket. */
export const TICKET_REFERENCE_MISSES: readonly TicketRejectReason[] = ['unknown_zone'];

export type TicketResult = NormalizeResult<SupportTicketNormalized, TicketRejectReason>;

/**
 * Validates one raw support ticket and turns it into the normalized one: the ticket id
 * canonical (trimmed, upper case: channels spell their ids in either case), priority, category
 * and channel each a real symbol (not UNKNOWN), and the zone — optional; blank counts as absent —
 * canonical and known when given, enriched with its name. The subject is trimmed with runs of
 * whitespace (line breaks too) made one space; an empty subject is kept (a ticket still counts).
 */
export function normalizeTicket(
  raw: SupportTicketRaw,
  zones: ZoneDirectory,
  now: number,
): TicketResult {
  const badId = checkEventId(raw);
  if (badId) return badId;
  const ticketId = canonicalId(raw.ticket_id);
  if (!ticketId) return reject('missing_ticket_id', 'ticket_id is empty');
  const badTime = checkEventTime(raw, now);
  if (badTime) return badTime;
  if (raw.priority === TicketPriority.UNKNOWN) {
    return reject('unknown_priority', 'priority is UNKNOWN');
  }
  if (raw.category === TicketCategory.UNKNOWN) {
    return reject('unknown_category', 'category is UNKNOWN');
  }
  if (raw.channel === TicketChannel.UNKNOWN) return reject('unknown_channel', 'channel is UNKNOWN');

  const reportedZone = optionalText(raw.zone_id);
  let zone: { id: string; name: string } | null = null;
  if (reportedZone !== null) {
    const zoneId = canonicalId(reportedZone);
    const known = zones.zone(zoneId);
    if (!known) return reject('unknown_zone', `zone ${zoneId} is not in the reference data`);
    zone = known;
  }

  return {
    ok: true,
    value: {
      event_id: raw.event_id.trim(),
      event_time: raw.event_time,
      ticket_id: ticketId,
      priority: raw.priority,
      category: raw.category,
      channel: raw.channel,
      zone_id: zone?.id ?? null,
      zone_name: zone?.name ?? null,
      subject: raw.subject.replace(/\s+/g, ' ').trim(),
      source: raw.source,
      ingested_at: now,
    },
  };
}
