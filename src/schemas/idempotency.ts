import { Type } from 'typebox';

/** The header of every POST that creates something (spec.md §4). */
export const IdempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      // Visible ASCII: no spaces, no control characters, nothing a proxy might re-encode.
      pattern: '^[!-~]+$',
      description:
        'Makes a retry safe: the same key and request within 24 h answers as the first did, ' +
        'with `Idempotent-Replayed: true`, and creates nothing more. Scoped to the caller.',
    }),
  ),
});
