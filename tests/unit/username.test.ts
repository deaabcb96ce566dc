import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { BLANK, tooLong } from '../../src/domain/shared/text.js';
import {
  USERNAME_MAX_LENGTH,
  parseUsername,
  usernameFromPath,
} from '../../src/domain/shared/username.js';

const PATTERN_MESSAGE = 'may only contain letters, digits, "_", "." and "-"';

describe('parseUsername', () => {
  it('accepts letters, digits, "_", "." and "-", trimmed', () => {
    expect(parseUsername('  Jane_Doe.42-x ')).toBe('Jane_Doe.42-x');
  });

  it('rejects a blank username', () => {
    expect(() => parseUsername('   ')).toThrow(ValidationError.field('username', BLANK));
  });

  it('accepts 64 characters and rejects 65', () => {
    expect(parseUsername('a'.repeat(USERNAME_MAX_LENGTH))).toHaveLength(USERNAME_MAX_LENGTH);
    expect(() => parseUsername('a'.repeat(USERNAME_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('username', tooLong(USERNAME_MAX_LENGTH)),
    );
  });

  it.each(['jane doe', 'jane/doe', 'jané', 'jane@home', 'jane?', '🎉'])(
    'rejects %j, which would need escaping in a URL',
    (value) => {
      expect(() => parseUsername(value)).toThrow(
        ValidationError.field('username', PATTERN_MESSAGE),
      );
    },
  );

  it.each(['.', '..', ' .. '])(
    'rejects %j, a URL dot segment that clients resolve away (/profiles/.. is /)',
    (value) => {
      expect(() => parseUsername(value)).toThrow(
        ValidationError.field('username', 'can\'t be "." or ".."'),
      );
    },
  );

  it.each(['...', '.a', 'a.', '.-'])('accepts %j, which URLs keep as it is', (value) => {
    expect(parseUsername(value)).toBe(value);
  });
});

describe('usernameFromPath', () => {
  it('returns a username that could have been registered', () => {
    expect(usernameFromPath('Jane_Doe.42-x')).toBe('Jane_Doe.42-x');
    expect(usernameFromPath('a'.repeat(USERNAME_MAX_LENGTH))).toBeDefined();
  });

  it.each(['', ' jane', 'jane doe', 'jané', 'a'.repeat(USERNAME_MAX_LENGTH + 1)])(
    'returns undefined for %j, which no account can have',
    (value) => {
      expect(usernameFromPath(value)).toBeUndefined();
    },
  );
});
