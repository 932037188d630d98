import { InvalidSmppUrlError } from './smpp-errors';
import { maskSmppUrl, parseSmppUrl } from './smpp-url';

describe('parseSmppUrl', () => {
  it('reads system_id, password, host and port', () => {
    expect(parseSmppUrl('smpp://acme:s3cret@127.0.0.1:2776')).toEqual({
      host: '127.0.0.1',
      port: 2776,
      systemId: 'acme',
      password: 's3cret',
    });
  });

  it('uses port 2775 when the URL names none', () => {
    expect(parseSmppUrl('smpp://acme:pw@smsc.example').port).toBe(2775);
  });

  it('decodes percent-encoded credentials', () => {
    expect(parseSmppUrl('smpp://ac%3Ame:p%40ss%3Aw@127.0.0.1:2775')).toMatchObject({ systemId: 'ac:me', password: 'p@ss:w' });
  });

  it('accepts an empty password', () => {
    expect(parseSmppUrl('smpp://acme@127.0.0.1:2775').password).toBe('');
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(parseSmppUrl('smpp://acme:pw@[::1]:2775').host).toBe('::1');
  });

  it.each([
    ['not a URL', 'expected smpp://system_id:password@host:port'],
    ['http://acme:pw@127.0.0.1:2775', 'scheme must be smpp:, got http:'],
    ['smpp://:pw@127.0.0.1:2775', 'system_id (the user part) is missing'],
    ['smpp://acme:pw@127.0.0.1:99999', 'expected smpp://system_id:password@host:port'],
  ])('rejects %p: %s', (url, rule) => {
    const parse = (): unknown => parseSmppUrl(url);

    expect(parse).toThrow(InvalidSmppUrlError);
    expect(parse).toThrow(expect.objectContaining({ code: 'SMS_GATEWAY.INVALID_SMPP_URL', rule }));
  });

  it('keeps the password out of the error message', () => {
    expect(() => parseSmppUrl('ftp://acme:hunter2@127.0.0.1:2775')).toThrow(/^SMPP URL 'ftp:\/\/acme:\*\*\*@127.0.0.1:2775' is invalid/);
  });
});

describe('maskSmppUrl', () => {
  it.each([
    ['smpp://acme:s3cret@127.0.0.1:2775', 'smpp://acme:***@127.0.0.1:2775'],
    ['smpp://acme@127.0.0.1:2775', 'smpp://acme@127.0.0.1:2775'],
    ['smpp://127.0.0.1:2775', 'smpp://127.0.0.1:2775'],
  ])('masks %p as %p', (url, masked) => {
    expect(maskSmppUrl(url)).toBe(masked);
  });
});
