import { MAX_MESSAGE_SEGMENTS, messageLengthCheck } from './message-length';

const PHONE = '+33612345678';

describe('message length check', () => {
  const single = messageLengthCheck({ id: 'tpl-x', body: '{{x}}' });

  it('accepts short values', () => {
    expect(
      messageLengthCheck({ id: 'tpl-1', body: 'Bonjour {{firstName}}, montant {{amount}}' })({ firstName: 'Ana', amount: 12.5 }, PHONE),
    ).toEqual([]);
  });

  it('rejects 80,000 GSM-7 characters, naming the field and the count', () => {
    const violations = single({ x: 'a'.repeat(80_000) }, PHONE);

    expect(violations).toEqual([
      {
        field: 'layout.values.x',
        rule: "makes the message of template 'tpl-x' 523 segments long (GSM-7), over the maximum of 255 segments for one SMS, so shorten the value",
      },
    ]);
  });

  it.each([
    ['GSM-7', 'a', MAX_MESSAGE_SEGMENTS * 153],
    ['UCS-2', 'ж', MAX_MESSAGE_SEGMENTS * 67],
    ['UCS-2 surrogate pairs', '😀', MAX_MESSAGE_SEGMENTS * 33],
  ])('accepts exactly 255 segments of %s and rejects one character more', (_, character, fitting) => {
    expect(single({ x: character.repeat(fitting) }, PHONE)).toEqual([]);
    expect(single({ x: character.repeat(fitting + 1) }, PHONE)).toEqual([
      expect.objectContaining({ rule: expect.stringContaining('256 segments') }),
    ]);
  });

  it('counts a value at every place its placeholder occurs', () => {
    // Rendered once, 9,000 UCS-2 units would fit, but rendered twice they need 269 segments.
    const twice = messageLengthCheck({ id: 'tpl-2', body: '{{x}} {{x}}' });

    expect(twice({ x: 'ж'.repeat(9_000) }, PHONE)).toEqual([expect.objectContaining({ rule: expect.stringContaining('269 segments') })]);
  });

  it('names the field with the longest value', () => {
    const check = messageLengthCheck({ id: 'tpl-3', body: '{{short}} {{long}}' });

    expect(check({ short: 'Ana', long: 'a'.repeat(40_000) }, PHONE)).toEqual([expect.objectContaining({ field: 'layout.values.long' })]);
  });

  it('leaves a missing value to the missing-values check', () => {
    const check = messageLengthCheck({ id: 'tpl-4', body: '{{a}} {{b}}' });

    expect(check({ a: 'a'.repeat(80_000) }, PHONE)).toEqual([]);
  });

  it('renders the target number into {{phoneNumber}}, not a value of that name', () => {
    const check = messageLengthCheck({ id: 'tpl-5', body: '{{phoneNumber}}' });

    expect(check({ phoneNumber: 'a'.repeat(80_000) }, PHONE)).toEqual([]);
  });
});
