import { createHash } from 'node:crypto';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry's content: everything the hash covers. */
export interface ChainedFields {
  readonly sequence: number;
  readonly action: string;
  readonly actor: string;
  readonly subjectId: number | null;
  readonly reason: string | null;
  readonly role: string | null;
  readonly requestId: string | null;
  readonly occurredAt: Date;
}

/**
 * SHA-256 of the previous hash and the entry's fields as JSON in a fixed key order, absent values
 * left out (so a field added later, absent from older entries, leaves their hashes as they were).
 */
export function chainHash(previousHash: string, fields: ChainedFields): string {
  const content = JSON.stringify({
    sequence: fields.sequence,
    action: fields.action,
    actor: fields.actor,
    subjectId: fields.subjectId ?? undefined,
    reason: fields.reason ?? undefined,
    role: fields.role ?? undefined,
    requestId: fields.requestId ?? undefined,
    occurredAt: fields.occurredAt.toISOString(),
  });
  return createHash('sha256').update(`${previousHash}\n${content}`).digest('hex');
}
