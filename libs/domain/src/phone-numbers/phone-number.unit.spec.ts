import { normalisePhoneNumber } from './phone-number';

describe('normalisePhoneNumber', () => {
  it.each([
    ['0612345678', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33 0 6 12 34 56 78', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['+330600011234', '+33600011234'],
    ['+1 415 555 2671', '+14155552671'],
    ['06 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['00 33 6 12 34 56 78', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['06\u00a012\u00a034\u00a056\u00a078', '+33612345678'],
    ['06\u202f12\u202f34\u202f56\u202f78', '+33612345678'],
  ])('reads %s as %s', (raw, e164) => {
    expect(normalisePhoneNumber(raw, 'FR')).toEqual({ ok: true, e164, country: expect.any(String) });
  });

  it('rejects a French fixed line naming its type', () => {
    expect(normalisePhoneNumber('+33 1 44 00 12 34', 'FR')).toEqual({
      ok: false,
      rule: 'is a fixed line number, which cannot receive SMS',
    });
  });

  it.each(['01 44 00 12 34', '0033 1 44 00 12 34', '+33144001234'])('rejects the fixed line %p naming its type', (raw) => {
    expect(normalisePhoneNumber(raw, 'FR')).toEqual({ ok: false, rule: 'is a fixed line number, which cannot receive SMS' });
  });

  it('rejects a toll-free number', () => {
    expect(normalisePhoneNumber('0800123456', 'FR')).toMatchObject({ ok: false, rule: expect.stringContaining('toll free') });
  });

  it.each(['06 39', '0612', 'abc', '', '+'])('rejects %p', (raw) => {
    expect(normalisePhoneNumber(raw, 'FR').ok).toBe(false);
  });

  it('judges an international number by its own country', () => {
    expect(normalisePhoneNumber('+44 7700 900123', 'FR')).toEqual({ ok: false, rule: 'is not a valid number in its country' });
    expect(normalisePhoneNumber('0044 7700 900123', 'FR')).toEqual({ ok: false, rule: 'is not a valid number in its country' });
  });

  it('reads a national number in the given default country', () => {
    expect(normalisePhoneNumber('07400 123456', 'GB')).toMatchObject({ ok: true, e164: '+447400123456' });
  });
});
