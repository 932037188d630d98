import { streams } from '@sms/domain';
import { attempted, attemptStarted, deliveryReported, targetAdded } from '../testing/domain-events';
import { EventLog } from '../testing/event-log';
import { attemptChangesOf } from './attempt-feed';

describe('attempt feed changes', () => {
  it('follow an attempt from start to receipt, versioned by stream revision', () => {
    const log = new EventLog();
    const stream = streams.target('t-1');
    const added = log.record(stream, targetAdded('t-1', 'c-1', { phoneNumber: '+33612345678' }));
    const started = log.record(stream, attemptStarted('a-1', 'c-1'));
    const sent = log.record(stream, attempted('a-1', { segments: 2 }));
    const delivered = log.record(stream, deliveryReported('a-1', 'provider-a-1'));
    const all = [added, started, sent, delivered];

    const changes = attemptChangesOf([started, sent, delivered], all);

    expect(changes.map((change) => [change.attemptId, change.version, change.status])).toEqual([
      ['a-1', 1, 'IN_PROGRESS'],
      ['a-1', 2, 'SENT'],
      ['a-1', 3, 'DELIVERED'],
    ]);
    expect(changes[2]).toMatchObject({
      campaignId: 'c-1',
      targetId: 't-1',
      phoneNumber: '+33612345678',
      segments: 2,
      endedAt: '2026-12-07T09:00:30.000Z',
    });
  });

  it('deleted target erases the number of each attempt', () => {
    const log = new EventLog();
    const stream = streams.target('t-2');
    const events = [
      log.record(stream, targetAdded('t-2', 'c-1')),
      log.record(stream, attemptStarted('a-1', 'c-1')),
      log.record(stream, attempted('a-1', { status: 'FAILED', retryAt: '2026-12-07T10:00:00.000Z', providerMessageId: null })),
      log.record(stream, attemptStarted('a-2', 'c-1', { attemptNumber: 2 })),
      log.record(stream, attempted('a-2')),
    ];
    const deleted = log.record(stream, { type: 'TargetDeleted', data: { at: '2026-12-08T00:00:00.000Z', cancelled: false } });

    const changes = attemptChangesOf([deleted], [...events, deleted]);

    expect(changes.map((change) => [change.attemptId, change.version, change.phoneNumber])).toEqual([
      ['a-1', 5, null],
      ['a-2', 5, null],
    ]);
  });

  it('events of other streams in the read are ignored', () => {
    const log = new EventLog();
    const first = [
      log.record(streams.target('t-3'), targetAdded('t-3', 'c-1')),
      log.record(streams.target('t-3'), attemptStarted('a-3', 'c-1')),
    ];
    const other = [
      log.record(streams.target('t-4'), targetAdded('t-4', 'c-2')),
      log.record(streams.target('t-4'), attemptStarted('a-4', 'c-2')),
    ];

    const changes = attemptChangesOf([first[1]], [...other, ...first]);

    expect(changes.map((change) => change.attemptId)).toEqual(['a-3']);
  });
});
