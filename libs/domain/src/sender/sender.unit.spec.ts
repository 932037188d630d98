import { deciderSpec } from '../shared/decider-spec';
import { classifySenderId, senderDecider } from './sender';

describe('sender ids', () => {
  it.each([
    ['ACME', 'ALPHANUMERIC'],
    ['Acme Shop', 'ALPHANUMERIC'],
    ['38100', 'SHORT_CODE'],
    ['+33612345678', 'E164'],
  ])('classifies %s', (senderId, kind) => {
    expect(classifySenderId(senderId)).toBe(kind);
  });

  it.each(['AB', 'ABCDEFGHIJKL', 'Café', '', '+0612', '123456789012', 'ACME!', 'A\tB C'])('rejects %p', (senderId) => {
    expect(() => classifySenderId(senderId)).toThrow(expect.objectContaining({ code: 'SENDER.INVALID_SENDER_ID' }));
  });

  it.each([' ACME', 'ACME ', 'A  ', '  AB'])('rejects %p for its space at one end', (senderId) => {
    expect(() => classifySenderId(senderId)).toThrow(
      expect.objectContaining({
        code: 'SENDER.INVALID_SENDER_ID',
        details: [{ field: 'senderId', value: senderId, rule: 'must not start or end with a space' }],
      }),
    );
  });

  it('accepts spaces inside an alphanumeric id', () => {
    expect(classifySenderId('AC  ME')).toBe('ALPHANUMERIC');
  });

  it('accepts every character of the alphanumeric rule', () => {
    expect(classifySenderId('Ab 1.-_&')).toBe('ALPHANUMERIC');
  });

  it('names the allowed characters in the message', () => {
    expect(() => classifySenderId('AB')).toThrow(
      'senderId \'AB\' must be an alphanumeric sender id of 3 to 11 characters from A-Z, a-z, 0-9, space, ".", "-", "_" and "&" ' +
        'with at least one letter, a short code of 3 to 8 digits, or an E.164 number such as +33612345678',
    );
  });

  it('explains why a GSM letter such as é is rejected', () => {
    expect(() => classifySenderId('Café')).toThrow(
      "senderId 'Café' contains 'é', which is not ASCII. Many operators reject non-ASCII alphanumeric sender ids, " +
        'so use an alphanumeric sender id of 3 to 11 characters from A-Z, a-z, 0-9, space, ".", "-", "_" and "&" ' +
        'with at least one letter, a short code of 3 to 8 digits, or an E.164 number such as +33612345678',
    );
  });

  it('registers a sender', () => {
    deciderSpec(senderDecider)
      .given([])
      .when({ type: 'RegisterSender', id: 's1', name: 'Shop', senderId: 'ACME' })
      .then([
        { type: 'SenderRegistered', data: { id: 's1', name: 'Shop', senderId: 'ACME', kind: 'ALPHANUMERIC', throughputPerSecond: null } },
      ]);
  });

  it('registers a sender with its own throughput cap', () => {
    deciderSpec(senderDecider)
      .given([])
      .when({ type: 'RegisterSender', id: 's2', name: 'Shop', senderId: 'ACME', throughputPerSecond: 5 })
      .then([
        { type: 'SenderRegistered', data: { id: 's2', name: 'Shop', senderId: 'ACME', kind: 'ALPHANUMERIC', throughputPerSecond: 5 } },
      ]);
  });

  it('rejects registering the same sender twice', () => {
    const registered = {
      type: 'SenderRegistered' as const,
      data: { id: 's3', name: 'Shop', senderId: 'ACME', kind: 'ALPHANUMERIC' as const, throughputPerSecond: null },
    };
    deciderSpec(senderDecider)
      .given([registered])
      .when({ type: 'RegisterSender', id: 's3', name: 'Other shop', senderId: '38100' })
      .thenThrows('SENDER.ALREADY_EXISTS');
  });
});
