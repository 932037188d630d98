import { deciderSpec } from '../shared/decider-spec';
import { OptedIn, OptedOut, optOutDecider } from './opt-out';

const number = '+33612345678';
const stopAt = '2026-12-07T09:00:00.000Z';
const later = '2026-12-07T10:00:00.000Z';

const optedOutByReply: OptedOut = {
  type: 'OptedOut',
  data: { phoneNumber: number, source: 'REPLY', keyword: 'STOP', campaignId: 'c1', at: stopAt },
};
const optedInByReply: OptedIn = { type: 'OptedIn', data: { phoneNumber: number, source: 'REPLY', keyword: 'START', at: later } };

const spec = deciderSpec(optOutDecider);

describe('opt-out decider', () => {
  it('opts out a number that is not on the list', () => {
    spec
      .given([])
      .when({ type: 'OptOut', phoneNumber: number, source: 'REPLY', keyword: 'STOP', campaignId: 'c1', now: stopAt })
      .then([optedOutByReply]);
  });

  it('records a Maker opt-out without keyword or campaign', () => {
    spec
      .given([])
      .when({ type: 'OptOut', phoneNumber: number, source: 'MAKER', keyword: null, campaignId: null, now: stopAt })
      .then([{ type: 'OptedOut', data: { phoneNumber: number, source: 'MAKER', keyword: null, campaignId: null, at: stopAt } }]);
  });

  it('records nothing for a second opt-out and keeps the first date', () => {
    spec
      .given([optedOutByReply])
      .when({ type: 'OptOut', phoneNumber: number, source: 'MAKER', keyword: null, campaignId: null, now: later })
      .then([]);
    expect(spec.given([optedOutByReply]).state()).toEqual({
      optedOut: true,
      phoneNumber: number,
      since: stopAt,
      source: 'REPLY',
      keyword: 'STOP',
      campaignId: 'c1',
    });
  });

  it('opts in a number on the list', () => {
    spec
      .given([optedOutByReply])
      .when({ type: 'OptIn', phoneNumber: number, source: 'REPLY', keyword: 'START', now: later })
      .then([optedInByReply]);
    expect(spec.given([optedOutByReply, optedInByReply]).state()).toEqual({ optedOut: false });
  });

  it('records nothing for an opt-in of a number not on the list', () => {
    spec.given([]).when({ type: 'OptIn', phoneNumber: number, source: 'MAKER', keyword: null, now: later }).then([]);
    spec
      .given([optedOutByReply, optedInByReply])
      .when({ type: 'OptIn', phoneNumber: number, source: 'REPLY', keyword: 'START', now: later })
      .then([]);
  });

  it('opts out again after an opt-in', () => {
    const again = '2026-12-08T09:00:00.000Z';
    spec
      .given([optedOutByReply, optedInByReply])
      .when({ type: 'OptOut', phoneNumber: number, source: 'REPLY', keyword: 'ARRET', campaignId: 'c2', now: again })
      .then([{ type: 'OptedOut', data: { phoneNumber: number, source: 'REPLY', keyword: 'ARRET', campaignId: 'c2', at: again } }]);
  });
});
