import { describe, expect, it } from 'vitest';
import {
  BIO_MAX_LENGTH,
  IMAGE_MAX_LENGTH,
  parseBio,
  parseImage,
} from '../../src/domain/identity/user.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { tooLong } from '../../src/domain/shared/text.js';

const NOT_HTTP = ValidationError.field('image', 'must be an http or https URL');

describe('parseBio', () => {
  it.each([null, '', ' \n '])('treats %j as no bio', (value) => {
    expect(parseBio(value)).toBeNull();
  });

  it('returns the bio trimmed', () => {
    expect(parseBio('  I like to skateboard \n')).toBe('I like to skateboard');
  });

  it('accepts 2000 characters and rejects 2001', () => {
    expect(parseBio('b'.repeat(BIO_MAX_LENGTH))).toHaveLength(BIO_MAX_LENGTH);
    expect(() => parseBio('b'.repeat(BIO_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('bio', tooLong(BIO_MAX_LENGTH)),
    );
  });
});

describe('parseImage', () => {
  it.each([null, '', '   '])('treats %j as no image', (value) => {
    expect(parseImage(value)).toBeNull();
  });

  it.each([
    'https://example.com/me.png',
    'http://cdn.example.com/a/b.jpg?size=2',
    'HTTPS://X.IO/a',
  ])('accepts the absolute http(s) URL %j', (value) => {
    expect(parseImage(value)).toBe(value);
  });

  it('returns the URL trimmed', () => {
    expect(parseImage('  https://example.com/me.png ')).toBe('https://example.com/me.png');
  });

  it.each([
    'javascript:alert(1)',
    'data:image/png;base64,iVBORw0KGgo=',
    'ftp://example.com/me.png',
    '/images/me.png',
    'example.com/me.png',
    'not a url',
  ])('rejects %j, which is not an absolute http(s) URL', (value) => {
    expect(() => parseImage(value)).toThrow(NOT_HTTP);
  });

  it('rejects a URL longer than 2000 characters', () => {
    const url = `https://example.com/${'a'.repeat(IMAGE_MAX_LENGTH)}`;
    expect(() => parseImage(url)).toThrow(
      ValidationError.field('image', tooLong(IMAGE_MAX_LENGTH)),
    );
  });
});
