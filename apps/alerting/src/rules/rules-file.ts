import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';

/**
 * The rules file: every rule's thresholds, with per-zone (or per-line, per-source) overrides.
 * Validated once at start; a bad file is refused with every problem listed, like libs/config.
 * Durations are seconds; a firing threshold and its resolve threshold form the hysteresis band.
 */

const seconds = z.number().positive();
const nonNegSeconds = z.number().min(0);
const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const severity = z.enum(SEVERITIES);

/** A threshold rule's firing and resolving levels and its cooldown (the part a zone may override). */
const belowLevels = z
  .object({
    fire_below: z.number(),
    resolve_above: z.number(),
    cooldown_seconds: nonNegSeconds,
  })
  .strict();
const aboveLevels = z
  .object({
    fire_above: z.number(),
    resolve_below: z.number(),
    cooldown_seconds: nonNegSeconds,
  })
  .strict();

const common = { enabled: z.boolean().default(true), severity };
const belowOverrides = z.record(z.string().min(1), belowLevels.partial().strict()).default({});
const aboveOverrides = z.record(z.string().min(1), aboveLevels.partial().strict()).default({});
const zoneWindow = { window_seconds: seconds, min_readings: z.number().int().min(1) };

type Levels = Partial<
  Record<'fire_below' | 'resolve_above' | 'fire_above' | 'resolve_below', number>
>;

/** The resolve level must lie on the far side of the firing level, for the rule and every override. */
function checkBands(
  rule: Levels & { overrides: Record<string, Levels> },
  ctx: z.RefinementCtx,
): void {
  const band = (path: string[], lv: Levels) => {
    const { fire_below, resolve_above, fire_above, resolve_below } = lv;
    if (fire_below !== undefined && resolve_above !== undefined && !(resolve_above > fire_below))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path,
        message: `resolve_above (${resolve_above}) must be above fire_below (${fire_below}), or a value at the threshold flaps`,
      });
    if (fire_above !== undefined && resolve_below !== undefined && !(resolve_below < fire_above))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path,
        message: `resolve_below (${resolve_below}) must be below fire_above (${fire_above}), or a value at the threshold flaps`,
      });
  };
  band([], rule);
  for (const [id, o] of Object.entries(rule.overrides)) band(['overrides', id], { ...rule, ...o });
}

export const rulesSchema = z
  .object({
    /** readings older than a subject's newest event time minus this are late: never evaluated */
    lateness_seconds: nonNegSeconds,
    /** a zone's sensors' readings over an event-time window, averaged; overrides by zone id */
    severe_congestion: belowLevels
      .extend({ ...common, ...zoneWindow, overrides: belowOverrides })
      .superRefine(checkBands),
    overcapacity: aboveLevels
      .extend({ ...common, ...zoneWindow, overrides: aboveOverrides })
      .superRefine(checkBands),
    /** overrides by line id */
    crowded_vehicle: aboveLevels
      .extend({ ...common, overrides: aboveOverrides })
      .superRefine(checkBands),
    critical_incident: z
      .object({
        enabled: z.boolean().default(true),
        severity,
        /** incident severities that alert at once */
        severities: z.array(severity).min(1),
      })
      .strict(),
    silent_sensor: z
      .object({
        enabled: z.boolean().default(true),
        severity,
        reporting_interval_seconds: seconds,
        /** silent after this many reporting intervals without a reading */
        intervals: z.number().min(1),
        cooldown_seconds: nonNegSeconds,
      })
      .strict(),
    stuck_sensor: z
      .object({
        enabled: z.boolean().default(true),
        severity,
        /** this many consecutive readings with the same speed and occupancy */
        readings: z.number().int().min(2),
        cooldown_seconds: nonNegSeconds,
      })
      .strict(),
    /** ratio of a source's records that went to its DLQ; overrides by source (traffic, transport, incidents) */
    dlq_rate: aboveLevels
      .extend({
        ...common,
        window_seconds: seconds,
        min_records: z.number().int().min(1),
        overrides: aboveOverrides,
      })
      .superRefine(checkBands),
    anomaly: z
      .object({
        enabled: z.boolean().default(true),
        severity,
        /** EWMA weight of a new reading */
        alpha: z.number().gt(0).lt(1),
        /** |robust z| above this fires, below resolve_z clears */
        fire_z: z.number().positive(),
        resolve_z: z.number().positive(),
        /** consecutive readings beyond a level before it counts */
        consecutive: z.number().int().min(1),
        /** readings a sensor's baseline of one hour of the day needs before it may alert */
        warmup_readings: z.number().int().min(1),
        /** floor of the baseline's spread, km/h, so a very steady sensor does not alert on noise */
        min_spread_kmh: z.number().positive(),
        cooldown_seconds: nonNegSeconds,
      })
      .strict()
      .refine((a) => a.resolve_z < a.fire_z, {
        path: ['resolve_z'],
        message: 'must be below fire_z',
      }),
    correlation: z
      .object({
        enabled: z.boolean().default(true),
        severity,
        /** congestion and an open incident in the same zone join when this close in event time */
        within_seconds: seconds,
        /** an incident with no RESOLVED report counts as open this long */
        incident_open_seconds: seconds,
      })
      .strict(),
  })
  .strict()
  .strict();

export type Rules = z.output<typeof rulesSchema>;
export type AlertSeverity = (typeof SEVERITIES)[number];

/** One problem of a rules file: where (a dotted path) and what. */
export interface RulesProblem {
  path: string;
  message: string;
}

export class RulesFileError extends Error {
  readonly code = 'RULES_INVALID';
  readonly retriable = false;

  constructor(
    readonly file: string,
    readonly problems: RulesProblem[],
  ) {
    super(
      `invalid rules file ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'RulesFileError';
  }
}

/** Validates parsed rules; throws RulesFileError with every problem. */
export function parseRules(value: unknown, file = '(rules)'): Rules {
  const result = rulesSchema.safeParse(value);
  if (result.success) return result.data;
  throw new RulesFileError(
    file,
    result.error.issues.map((i) => ({
      path: i.path.length ? i.path.join('.') : '(file)',
      message: i.message === 'Required' ? 'required' : i.message,
    })),
  );
}

/** Reads a .yaml/.yml or .json rules file and validates it. */
export function loadRules(file: string): Rules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RulesFileError(file, [{ path: '(file)', message: (e as Error).message }]);
  }
  let value: unknown;
  try {
    value = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new RulesFileError(file, [{ path: '(file)', message: (e as Error).message }]);
  }
  return parseRules(value, file);
}

/** Threshold levels of a rule for one subject: the rule's own, with the subject's override on top. */
export function levelsFor<L extends object>(
  rule: L & { overrides: Record<string, Partial<L>> },
  subjectId: string | null | undefined,
): L {
  const o = subjectId ? rule.overrides[subjectId] : undefined;
  return o ? { ...rule, ...o } : rule;
}
