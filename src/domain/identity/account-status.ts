/**
 * Whether an account may be used. A suspended account can't sign in and its tokens were revoked
 * when it was suspended; its articles and comments stay (moderation removes content, spec.md §8).
 */
export const ACCOUNT_STATUSES = ['active', 'suspended'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
