import type { FastifySchemaValidationError } from 'fastify';
import type { FieldErrors } from '../../domain/shared/errors.js';

/** The field an error is about: the last named segment of its path, else the request part. */
function fieldOf(instancePath: string, part: string): string {
  const named = instancePath
    .split('/')
    .filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  return named.at(-1) ?? part;
}

/** The key an unknown-property error points at: its path's last segment, unescaped (RFC 6901). */
function unknownKeyOf(instancePath: string): string {
  const segment = instancePath.slice(instancePath.lastIndexOf('/') + 1);
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function messageOf(error: FastifySchemaValidationError): string {
  const params = error.params;
  const limit = String(params.limit);
  switch (error.keyword) {
    case 'maxLength':
      return `is too long (maximum is ${limit} characters)`;
    case 'minLength':
      return `is too short (minimum is ${limit} characters)`;
    case 'maxItems':
      return `has too many items (maximum is ${limit})`;
    case 'minimum':
      return `must be greater than or equal to ${limit}`;
    case 'maximum':
      return `must be less than or equal to ${limit}`;
    case 'minProperties':
      return 'must have at least one field';
    case 'type':
      return `must be ${String(params.type)}`;
    default:
      return 'is invalid';
  }
}

/**
 * Turns schema errors into RealWorld's `{ field: [messages] }`. Missing and unknown
 * properties are reported on the property itself; a nullable field reports its choices.
 */
export function fieldErrors(
  errors: readonly FastifySchemaValidationError[],
  part: string,
): FieldErrors {
  const fields = new Map<string, string[]>();
  const add = (field: string, message: string): void => {
    const messages = fields.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    fields.set(field, messages);
  };
  // Inside a nullable field's anyOf: the types tried, and the other errors of its branches.
  const choices = new Map<string, string[]>();
  const branchErrors = new Map<string, string[]>();
  for (const error of errors) {
    const params = error.params;
    if (error.keyword === 'required') {
      for (const name of params.requiredProperties as readonly string[]) add(name, 'is required');
    } else if (error.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties as readonly string[])
        add(name, 'is not a known field');
    } else if (error.schemaPath.includes('/anyOf/')) {
      const into = error.keyword === 'type' ? choices : branchErrors;
      const list = into.get(error.instancePath) ?? [];
      list.push(error.keyword === 'type' ? String(params.type) : messageOf(error));
      into.set(error.instancePath, list);
    } else if (error.keyword === 'anyOf') {
      // A branch of the right type failed on something else (e.g. too long): that is the news.
      const field = fieldOf(error.instancePath, part);
      const specific = branchErrors.get(error.instancePath);
      if (specific === undefined)
        add(field, `must be ${(choices.get(error.instancePath) ?? []).join(' or ')}`);
      else for (const message of specific) add(field, message);
    } else if (error.keyword === 'boolean') {
      // One per unknown key (the false schema of `additionalProperties`), reported before the
      // summary above, which TypeBox's cap on errors drops when there are many unknown keys.
      if (error.schemaPath.endsWith('/additionalProperties')) {
        add(unknownKeyOf(error.instancePath), 'is not a known field');
      }
    } else {
      add(fieldOf(error.instancePath, part), messageOf(error));
    }
  }
  return Object.fromEntries(fields);
}
