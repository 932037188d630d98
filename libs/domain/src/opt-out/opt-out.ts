import { assertNever, Decider, DomainEvent } from '../shared/decider';

/**
 * The do-not-contact list, one stream per phone number. The stream id is a keyed hash of the
 * E.164 number, computed by the application, so the number never appears in a stream name.
 */
export const OPT_OUT_STREAM_PREFIX = 'optout-';

export function optOutStream(numberKey: string): string {
  return `${OPT_OUT_STREAM_PREFIX}${numberKey}`;
}

/** The origin of a change to the list: a reply from the recipient, or a Maker user. */
export type OptOutSource = 'REPLY' | 'MAKER';

/** The number may not receive any SMS until it opts in again. */
export type OptedOut = DomainEvent<
  'OptedOut',
  {
    /** E.164. */
    phoneNumber: string;
    source: OptOutSource;
    /** The keyword of the reply, such as STOP or ARRET; null when a Maker user added the number. */
    keyword: string | null;
    /** The campaign that last sent to the number before its reply; null when unknown or added by a Maker user. */
    campaignId: string | null;
    at: string;
  }
>;

/** The number left the list: a START reply, or a Maker user removed it. */
export type OptedIn = DomainEvent<
  'OptedIn',
  {
    /** E.164. */
    phoneNumber: string;
    source: OptOutSource;
    /** The keyword of the reply, such as START; null when a Maker user removed the number. */
    keyword: string | null;
    at: string;
  }
>;

/**
 * The number's personal data was erased: its key is deleted, so earlier events of the stream read
 * an empty number. A number still on the list stays on it, found by the stream's keyed hash.
 */
export type OptOutErased = DomainEvent<'OptOutErased', { at: string }>;

export type OptOutEvent = OptedOut | OptedIn | OptOutErased;

export type OptOut = {
  type: 'OptOut';
  phoneNumber: string;
  source: OptOutSource;
  keyword: string | null;
  campaignId: string | null;
  now: string;
};

export type OptIn = { type: 'OptIn'; phoneNumber: string; source: OptOutSource; keyword: string | null; now: string };

/** Records the erasure of the number's personal data; the caller then deletes the stream's key. */
export type EraseOptOut = { type: 'EraseOptOut'; now: string };

export type OptOutCommand = OptOut | OptIn | EraseOptOut;

export type OptOutState =
  | { optedOut: false }
  | { optedOut: true; phoneNumber: string; since: string; source: OptOutSource; keyword: string | null; campaignId: string | null };

/**
 * Both commands are idempotent: opting out a number already on the list, or opting in one that
 * is not on it, records nothing. A repeated STOP keeps the date of the first one.
 */
export const optOutDecider: Decider<OptOutState, OptOutCommand, OptOutEvent> = {
  initialState: () => ({ optedOut: false }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'OptedOut': {
        const { phoneNumber, at, source, keyword, campaignId } = event.data;
        return { optedOut: true, phoneNumber, since: at, source, keyword, campaignId };
      }
      case 'OptedIn':
        return { optedOut: false };
      case 'OptOutErased':
        return state.optedOut ? { ...state, phoneNumber: '' } : state;
      default:
        return assertNever(event);
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'OptOut': {
        if (state.optedOut) {
          return [];
        }
        const { phoneNumber, source, keyword, campaignId, now } = command;
        return [{ type: 'OptedOut', data: { phoneNumber, source, keyword, campaignId, at: now } }];
      }
      case 'OptIn': {
        if (!state.optedOut) {
          return [];
        }
        const { phoneNumber, source, keyword, now } = command;
        return [{ type: 'OptedIn', data: { phoneNumber, source, keyword, at: now } }];
      }
      case 'EraseOptOut':
        // Whether the number was erased before is known by its key, which the caller checks.
        return [{ type: 'OptOutErased', data: { at: command.now } }];
      default:
        return assertNever(command);
    }
  },
};
