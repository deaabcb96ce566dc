import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

// Decimal digits with an optional sign: no fraction, exponent, hex, blank or boolean.
const WHOLE_NUMBER = /^-?[0-9]+$/;

/** The names of the properties `schema` declares as integers (query string and path schemas are flat objects). */
function integerProperties(schema: TSchema): string[] {
  const properties: unknown = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  const entries: [string, unknown][] = Object.entries(properties);
  return entries
    .filter(([, property]) => (property as { type?: unknown }).type === 'integer')
    .map(([name]) => name);
}

function notAnInteger(name: string): FastifySchemaValidationError {
  return {
    keyword: 'type',
    instancePath: `/${name}`,
    schemaPath: `#/properties/${name}`,
    params: { type: 'integer' },
    message: 'must be integer',
  };
}

/**
 * TypeBox validation the way `@fastify/type-provider-typebox` does it — query string and path
 * converted to their declared types, JSON bodies never — except that only whole-number text
 * may become an integer: `Value.Convert` alone turns "1.9" into 1 and "true" into 1, and
 * `DELETE /comments/1.9` must not delete comment 1.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const integers = httpPart === 'body' ? [] : integerProperties(schema);
  return (value: unknown) => {
    if (typeof value === 'object' && value !== null) {
      const given: [string, unknown][] = Object.entries(value);
      const bad = given.filter(
        ([name, raw]) =>
          integers.includes(name) && (typeof raw !== 'string' || !WHOLE_NUMBER.test(raw)),
      );
      if (bad.length > 0) return { error: bad.map(([name]) => notAnInteger(name)) };
    }
    const converted: unknown = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (check.Check(converted)) return { value: converted };
    return { error: check.Errors(converted) };
  };
};
