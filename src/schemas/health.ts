import { Type, type Static } from 'typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('live') });
export type HealthResponse = Static<typeof HealthResponse>;

export const ReadinessResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Array(
    Type.Object({ name: Type.String(), ready: Type.Boolean(), detail: Type.String() }),
  ),
});
export type ReadinessResponse = Static<typeof ReadinessResponse>;
