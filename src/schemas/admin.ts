import { Type, type Static } from 'typebox';
import { ACCOUNT_STATUSES } from '../domain/identity/account-status.js';
import { AUDIT_ACTIONS } from '../domain/shared/audit.js';
import { REASON_MAX_LENGTH } from '../domain/shared/reason.js';
import { ROLES } from '../domain/shared/roles.js';
import { USERNAME_MAX_LENGTH } from '../domain/shared/username.js';
import { NullableString, PageQuery, Timestamp } from './common.js';

/**
 * The admin API's bodies are flat (`{ "role": …, "reason": … }`): the RealWorld envelope
 * (`{ "user": … }`) is kept for the Conduit contract, not copied into Keel's own endpoints.
 */
const reason = Type.String({
  maxLength: REASON_MAX_LENGTH,
  description:
    'Why, in your words: kept in the audit stream (and told to the author, for a removal)',
});
const Role = Type.Enum(ROLES, { description: '`user` takes any other role away' });
const Status = Type.Enum(ACCOUNT_STATUSES);

export const RoleChangeBody = Type.Object({ role: Role, reason }, { additionalProperties: false });
export type RoleChangeBody = Static<typeof RoleChangeBody>;

export const StatusChangeBody = Type.Object(
  { status: Status, reason },
  { additionalProperties: false },
);
export type StatusChangeBody = Static<typeof StatusChangeBody>;

export const RemovalBody = Type.Object({ reason }, { additionalProperties: false });
export type RemovalBody = Static<typeof RemovalBody>;

export const AccountResponse = Type.Object({
  account: Type.Object({ username: Type.String(), role: Role, status: Status }),
});

const Account = Type.Object({ id: Type.Integer(), username: NullableString });

/**
 * The audit listing's filters. Unknown query parameters are ignored, as on every list
 * (spec.md §6).
 */
export const AuditEventsQuery = Type.Object({
  action: Type.Optional(Type.Enum(AUDIT_ACTIONS)),
  actor: Type.Optional(
    Type.String({
      maxLength: USERNAME_MAX_LENGTH,
      description: 'A username, or `@system` (a command-line tool) or `@anonymous`',
    }),
  ),
  subject: Type.Optional(
    Type.String({ maxLength: USERNAME_MAX_LENGTH, description: 'A username' }),
  ),
  before: Type.Optional(
    Type.Integer({
      minimum: 1,
      // A sequence JavaScript holds exactly (and far below the column's bigint).
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Entries older than this sequence: the `next` of the previous page',
    }),
  ),
  limit: PageQuery.limit,
});
export type AuditEventsQuery = Static<typeof AuditEventsQuery>;

export const AuditEventsResponse = Type.Object({
  auditEvents: Type.Array(
    Type.Object({
      sequence: Type.Integer(),
      action: Type.Enum(AUDIT_ACTIONS),
      actor: Type.Union([
        Type.Object({ type: Type.Literal('user'), id: Type.Integer(), username: NullableString }),
        Type.Object({ type: Type.Union([Type.Literal('system'), Type.Literal('anonymous')]) }),
      ]),
      subject: Type.Union([Account, Type.Null()]),
      role: Type.Union([Role, Type.Null()]),
      reason: NullableString,
      requestId: NullableString,
      occurredAt: Timestamp,
    }),
  ),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Pass as `before` for the next page; `null` on the last page',
  }),
});
