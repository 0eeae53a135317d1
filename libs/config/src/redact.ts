/** What replaces a secret in anything that is logged. */
export const REDACTED = '***';

// Key names whose values are secrets, wherever they appear (config objects, env, headers).
const SECRET_KEY =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|private[-_]?key|credential|authorization|cookie)$|^key$/i;

// scheme://user:password@host -> scheme://user:***@host (also inside longer strings).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;

// A PEM block (a CA or certificate read from KAFKA_SSL_*_FILE, a key): its label and its body.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----\n?/g;

/** Whether a key (config field or variable name) holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A string with the password of every URL in it replaced, e.g. postgres://u:***@host/db, and every
 * PEM block summarized: a private key becomes '***' wherever it is, a certificate (public, but 1 KiB
 * of base64 in a log line) '[PEM CERTIFICATE, 1159 bytes]'.
 */
export function redactString(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(PEM_BLOCK, (block: string, label: string) =>
      label.includes('PRIVATE KEY') ? REDACTED : `[PEM ${label}, ${block.length} bytes]`,
    );
}

/**
 * A deep copy of a value that is safe to log: values under secret-looking keys become '***',
 * URL passwords are masked in every string, buffers are summarized.
 */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Date) return new Date(value.getTime());
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redactValue(v, seen);
  }
  return out;
}

/** JSON of a config (or any value) with every secret masked, for a startup log line. */
export function redactedJson(value: unknown, indent?: number): string {
  return JSON.stringify(redact(value), null, indent);
}
