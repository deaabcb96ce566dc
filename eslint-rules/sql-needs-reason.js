// @ts-check
/**
 * Drizzle's `sql` template is the one way to write SQL the query builder can't express. Each
 * use must say why, in a `// sql: <reason>` comment on the line above (or the lines just above
 * the statement it sits in), so a reviewer can judge whether the builder really couldn't do it.
 */

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'require a `// sql: <reason>` comment before every sql`…` template' },
    messages: {
      reason:
        'Say why the query builder could not express this: put a `// sql: <reason>` comment on the line above this sql`…` template (or above its statement).',
    },
    schema: [],
  },
  create(context) {
    const source = context.sourceCode;
    const reasonLines = new Set(
      source
        .getAllComments()
        .filter((comment) => /^\s*sql: \S/.test(comment.value))
        .map((comment) => /** @type {import('estree').SourceLocation} */ (comment.loc).end.line),
    );
    return {
      TaggedTemplateExpression(node) {
        if (node.tag.type !== 'Identifier' || node.tag.name !== 'sql') return;
        // The reason may sit above the template itself or above any enclosing line up to its statement.
        const line = /** @type {import('estree').SourceLocation} */ (node.loc).start.line;
        /** @type {import('eslint').Rule.Node | null} */
        let current = /** @type {import('eslint').Rule.Node} */ (node);
        let firstLine = line;
        while (current && !current.type.endsWith('Statement') && current.type !== 'Program') {
          firstLine = Math.min(
            firstLine,
            /** @type {import('estree').SourceLocation} */ (current.loc).start.line,
          );
          current = current.parent;
        }
        if (current?.loc) firstLine = Math.min(firstLine, current.loc.start.line);
        for (let candidate = line - 1; candidate >= firstLine - 1; candidate--) {
          if (reasonLines.has(candidate)) return;
        }
        context.report({ node, messageId: 'reason' });
      },
    };
  },
};
