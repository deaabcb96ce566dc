// @ts-check
/** Keel's own lint rules, for the principles no maintained plugin checks. */
import noSwallowedCatch from './no-swallowed-catch.js';
import sqlNeedsReason from './sql-needs-reason.js';

export default {
  meta: { name: 'keel' },
  rules: {
    'no-swallowed-catch': noSwallowedCatch,
    'sql-needs-reason': sqlNeedsReason,
  },
};
