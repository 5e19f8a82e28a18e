import { describe, expect, it } from 'vitest';
import { hasControlChar } from '../../../shared/control-chars.ts';

describe('hasControlChar', () => {
  it.each([
    ['plain text', 'user-42', false],
    ['empty', '', false],
    ['space and tilde (just outside C0 and DEL)', ' ~', false],
    ['non-breaking space (just past C1)', 'a\u00a0b', false],
    ['emoji and accents', 'zoë 🎉', false],
    ['NUL', 'a\u0000b', true],
    ['newline', 'a\nb', true],
    ['unit separator (last C0)', '\u001f', true],
    ['DEL', 'x\u007f', true],
    ['first C1', '\u0080', true],
    ['last C1', 'x\u009f', true],
  ])('%s', (_name, input, expected) => {
    expect(hasControlChar(input)).toBe(expected);
  });
});
