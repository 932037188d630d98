import { Decider, DomainEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';

/**
 * A sender: the originator shown on the recipient's phone. Operators accept three forms: an
 * alphanumeric id of 3 to 11 characters with at least one letter, a short code (3 to 8 digits),
 * or an E.164 number. The alphanumeric form takes only ASCII letters, digits, space and `. - _ &`,
 * although GSM 03.38 also has letters such as `é`, because many operators reject non-ASCII
 * alphanumeric sender ids.
 */
export type SenderIdKind = 'ALPHANUMERIC' | 'SHORT_CODE' | 'E164';

/** `throughputPerSecond` caps the SMS per second sent under this sender, all campaigns together; null for no cap. */
export type SenderRegistered = DomainEvent<
  'SenderRegistered',
  { id: string; name: string; senderId: string; kind: SenderIdKind; throughputPerSecond?: number | null }
>;
export type SenderEvent = SenderRegistered;

export type RegisterSender = { type: 'RegisterSender'; id: string; name: string; senderId: string; throughputPerSecond?: number | null };
export type SenderCommand = RegisterSender;

export type SenderState =
  { exists: false } | { exists: true; id: string; name: string; senderId: string; kind: SenderIdKind; throughputPerSecond?: number | null };

export const senderDecider: Decider<SenderState, SenderCommand, SenderEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (_, event) => ({ exists: true, ...event.data }),

  decide: (command, state) => {
    if (state.exists) {
      throw DomainError.conflict('SENDER.ALREADY_EXISTS', `sender '${command.id}' already exists`);
    }
    const kind = classifySenderId(command.senderId);
    const { id, name, senderId, throughputPerSecond = null } = command;
    return [{ type: 'SenderRegistered', data: { id, name, senderId, kind, throughputPerSecond } }];
  },
};

/** Classifies a sender id or throws a DomainError naming the rule it breaks. */
export function classifySenderId(senderId: string): SenderIdKind {
  if (/^\+[1-9]\d{7,14}$/.test(senderId)) {
    return 'E164';
  }
  if (/^\d{3,8}$/.test(senderId)) {
    return 'SHORT_CODE';
  }
  if (ALPHANUMERIC_SENDER_ID.test(senderId) && /[A-Za-z]/.test(senderId) && !EDGE_SPACE.test(senderId)) {
    return 'ALPHANUMERIC';
  }
  throw DomainError.invalid('SENDER.INVALID_SENDER_ID', 'senderId', senderId, senderIdRule(senderId));
}

const ALPHANUMERIC_SENDER_ID = /^[A-Za-z0-9 .\-_&]{3,11}$/;
/** A space at either end: invisible in a list of senders, yet sent to the operator as part of the id. */
const EDGE_SPACE = /^ | $/;
const SENDER_ID_FORMS =
  'an alphanumeric sender id of 3 to 11 characters from A-Z, a-z, 0-9, space, ".", "-", "_" and "&" with at least one letter, ' +
  'a short code of 3 to 8 digits, or an E.164 number such as +33612345678';

function senderIdRule(senderId: string): string {
  const nonAscii = /\P{ASCII}/u.exec(senderId)?.[0];
  if (nonAscii === undefined) {
    return EDGE_SPACE.test(senderId) ? 'must not start or end with a space' : `must be ${SENDER_ID_FORMS}`;
  }
  return `contains '${nonAscii}', which is not ASCII. Many operators reject non-ASCII alphanumeric sender ids, so use ${SENDER_ID_FORMS}`;
}
