// @ts-check
/**
 * A `catch` (or a `.catch(handler)`) must rethrow or log: an error that is silently dropped
 * hides the very failure someone will later have to debug (the principles' "Do NOT catch
 * generic Exception without re-raising or logging").
 */

const LOG_METHODS = new Set(['fatal', 'error', 'warn', 'info']);
/** A function named for the level it logs at: `logFatal(log, error, …)`; not `logOut()`. */
const LOG_FUNCTION = /^log(?:Fatal|Error|Warn|Info)$/;

/**
 * `log.error(…)`, `logger.warn(…)`, `request.log.error(…)`, `app.log.info(…)`, or a function
 * named for what it logs (`logFatal(log, error, …)`).
 * @param {import('estree').Node} node
 */
function isLogCall(node) {
  if (node.type !== 'CallExpression') return false;
  if (node.callee.type === 'Identifier') return LOG_FUNCTION.test(node.callee.name);
  if (node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LOG_METHODS.has(property.name)) return false;
  if (object.type === 'Identifier') return /log/i.test(object.name);
  return (
    object.type === 'MemberExpression' &&
    object.property.type === 'Identifier' &&
    /log/i.test(object.property.name)
  );
}

/** @param {import('estree').Node} node */
function rethrowsOrLogs(node) {
  /** @type {import('estree').Node[]} */
  const stack = [node];
  while (stack.length > 0) {
    const current = /** @type {import('estree').Node} */ (stack.pop());
    if (current.type === 'ThrowStatement' || isLogCall(current)) return true;
    // A nested function's throw is not this handler's throw.
    if (current !== node && current.type.includes('Function')) continue;
    for (const [key, value] of Object.entries(current)) {
      if (key === 'parent') continue;
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (child && typeof child === 'object' && typeof child.type === 'string') stack.push(child);
      }
    }
  }
  return false;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'require every catch to rethrow or log the error' },
    messages: {
      swallowed:
        'This catch neither rethrows nor logs, so the failure disappears. Rethrow (optionally as a domain error with { cause }) or log it with the request logger (log.error/warn).',
    },
    schema: [],
  },
  create(context) {
    return {
      CatchClause(node) {
        if (!rethrowsOrLogs(node.body)) context.report({ node, messageId: 'swallowed' });
      },
      'CallExpression[callee.property.name="catch"]'(
        /** @type {import('estree').CallExpression} */ node,
      ) {
        const [handler] = node.arguments;
        if (handler === undefined) return;
        if (handler.type !== 'ArrowFunctionExpression' && handler.type !== 'FunctionExpression')
          return;
        if (!rethrowsOrLogs(handler.body))
          context.report({ node: handler, messageId: 'swallowed' });
      },
    };
  },
};
