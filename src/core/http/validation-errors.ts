import type { FastifySchemaValidationError } from 'fastify';
import type { FieldErrors } from '../../domain/shared/errors.js';

/** The field an error is about: the last named segment of its path, else the request part. */
function fieldOf(instancePath: string, part: string): string {
  const named = instancePath
    .split('/')
    .filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  return named.at(-1) ?? part;
}

function messageOf(error: FastifySchemaValidationError): string {
  const params = error.params as Readonly<Record<string, unknown>>;
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
  const choices = new Map<string, string[]>();
  for (const error of errors) {
    const params = error.params as Readonly<Record<string, unknown>>;
    if (error.keyword === 'required') {
      for (const name of params.requiredProperties as readonly string[]) add(name, 'is required');
    } else if (error.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties as readonly string[])
        add(name, 'is not a known field');
    } else if (error.keyword === 'type' && error.schemaPath.includes('/anyOf/')) {
      const list = choices.get(error.instancePath) ?? [];
      list.push(String(params.type));
      choices.set(error.instancePath, list);
    } else if (error.keyword === 'anyOf') {
      const types = choices.get(error.instancePath) ?? [];
      add(fieldOf(error.instancePath, part), `must be ${types.join(' or ')}`);
    } else if (error.keyword !== 'boolean') {
      // 'boolean' repeats an additionalProperties error for each unknown key.
      add(fieldOf(error.instancePath, part), messageOf(error));
    }
  }
  return Object.fromEntries(fields);
}
