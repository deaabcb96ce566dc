import type { Brand } from './brand.js';
import { requiredText } from './text.js';

/** Why an administrator or moderator acted, in their words: kept in the audit stream. */
export type Reason = Brand<string, 'Reason'>;

export const REASON_MAX_LENGTH = 500;

/** Required, trimmed, at most `REASON_MAX_LENGTH` characters: an action without a why is refused. */
export function parseReason(value: string): Reason {
  return requiredText('reason', value, REASON_MAX_LENGTH) as Reason;
}
