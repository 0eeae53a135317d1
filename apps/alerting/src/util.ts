import { randomBytes } from 'node:crypto';

/** A short random suffix for names that must not collide (a throwaway consumer group). */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
