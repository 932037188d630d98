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

  it.each(['AB', 'ABCDEFGHIJKL', 'Café', '', '+0612', '123456789012'])('rejects %p', (senderId) => {
    expect(() => classifySenderId(senderId)).toThrow(expect.objectContaining({ code: 'SENDER.INVALID_SENDER_ID' }));
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
});
