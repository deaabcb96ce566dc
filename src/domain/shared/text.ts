import { ValidationError } from './errors.js';

export const BLANK = "can't be blank";
export const NOT_STORABLE = 'must be valid Unicode text without NUL characters';

/**
 * PostgreSQL text is well-formed UTF-8 without U+0000: a lone surrogate or a NUL can be neither
 * stored nor searched, so such input is a client mistake, never a database error.
 */
export function isStorableText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

// White space and the characters nothing renders (zero-width space and joiners, word joiner,
// soft hyphen, Hangul fillers, variation selectors, bidi controls): text of only these shows
// nothing, so it is as blank as spaces are.
const NOTHING_VISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

/** Whether `value` shows nothing: empty, white space, or characters no font draws. */
export function isBlank(value: string): boolean {
  return NOTHING_VISIBLE.test(value);
}

export function tooLong(max: number): string {
  return `is too long (maximum is ${String(max)} characters)`;
}

/** Length in Unicode code points: what PostgreSQL's `varchar(n)` limits count. */
export function lengthOf(value: string): number {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are the unit wanted here
  return [...value].length;
}

/**
 * Trims `value` and enforces "not blank (`isBlank`), at most `max` characters" for `field`.
 * The trimmed text is what gets stored.
 */
export function requiredText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (isBlank(trimmed)) throw ValidationError.field(field, BLANK);
  if (lengthOf(trimmed) > max) throw ValidationError.field(field, tooLong(max));
  if (!isStorableText(trimmed)) throw ValidationError.field(field, NOT_STORABLE);
  return trimmed;
}

/**
 * Optional profile text: `null`, empty or blank (`isBlank`) all mean "not set" and become `null`
 * (RealWorld clients send `""` to clear a field).
 */
export function optionalText(field: string, value: string | null, max: number): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (isBlank(trimmed)) return null;
  if (lengthOf(trimmed) > max) throw ValidationError.field(field, tooLong(max));
  if (!isStorableText(trimmed)) throw ValidationError.field(field, NOT_STORABLE);
  return trimmed;
}
