import { ArgumentMetadata } from '@nestjs/common';
import { DomainError } from '@sms/domain';
import { SafeInputPipe } from './safe-input.pipe';

const pipe = new SafeInputPipe();
const BODY: ArgumentMetadata = { type: 'body' };
const QUERY: ArgumentMetadata = { type: 'query' };

function rejection(value: unknown, metadata: ArgumentMetadata): DomainError {
  try {
    pipe.transform(value, metadata);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('SafeInputPipe accepted the value');
}

describe('SafeInputPipe - lone surrogates', () => {
  it.each([
    ['a\ud800b', 'U+D800 at UTF-16 index 1'],
    ['a\udfffb', 'U+DFFF at UTF-16 index 1'],
    ['x\ud83d', 'U+D83D at UTF-16 index 1'],
    ['\ude00x', 'U+DE00 at UTF-16 index 0'],
    ['\ude00\ud83d', 'U+DE00 at UTF-16 index 0'],
  ])('rejects %j in a body field', (name, where) => {
    const error = rejection({ name }, BODY);

    expect(error.code).toBe('REQUEST.INVALID_UNICODE');
    expect(error.details).toEqual([
      { field: 'name', value: name, rule: `must be well-formed Unicode, but has the lone surrogate ${where}` },
    ]);
  });

  it('accepts surrogate pairs', () => {
    const body = { name: 'Soldes 🎉 d’hiver', tags: ['😀😀', '𝄞'] };

    expect(pipe.transform(body, BODY)).toBe(body);
  });

  it('names the path of a nested string and an array item', () => {
    expect(rejection({ layout: { values: { firstName: 'L\ud800' } } }, BODY).details).toMatchObject([{ field: 'layout.values.firstName' }]);
    expect(rejection({ tags: ['ok', 'b\udc00'] }, BODY).details).toMatchObject([{ field: 'tags[1]' }]);
    expect(rejection({ layouts: [{ fields: [{ key: 'k', label: '\ud800' }] }] }, BODY).details).toMatchObject([
      { field: 'layouts[0].fields[0].label' },
    ]);
  });

  it('rejects a lone surrogate in a key', () => {
    const error = rejection({ layout: { values: { 'first\ud800': 'x' } } }, BODY);

    expect(error.code).toBe('REQUEST.INVALID_UNICODE');
    expect(error.details).toMatchObject([{ field: 'layout.values.first\ud800', value: 'first\ud800' }]);
  });

  it('reports the first string in document order', () => {
    const body = { name: 'ok', alias: 'first\ud800', reference: 'second\ud800', tags: ['third\ud800'] };

    expect(rejection(body, BODY).details).toMatchObject([{ field: 'alias' }]);
  });

  it('rejects a lone surrogate in a query parameter', () => {
    const error = rejection({ search: 'a\ud800' }, QUERY);

    expect(error.code).toBe('REQUEST.INVALID_UNICODE');
    expect(error.details).toMatchObject([{ field: 'search', value: 'a\ud800' }]);
    expect(error.message).toContain('query parameter search');
  });
});

describe('SafeInputPipe - NUL characters', () => {
  it('names the array item that holds one', () => {
    const error = rejection({ closedDates: ['2026-12-25', '2026\u0000'] }, BODY);

    expect(error.code).toBe('REQUEST.NUL_CHARACTER');
    expect(error.details).toMatchObject([{ field: 'closedDates[1]' }]);
  });
});
