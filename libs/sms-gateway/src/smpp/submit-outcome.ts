import * as smpp from 'smpp';

import type { SubmitOutcome } from '../sms-gateway.port';
import { normaliseMessageId } from './delivery-receipt';
import { commandStatusName } from './smpp-errors';

/**
 * command_status values after which the same submit_sm may succeed later: the SMSC is busy,
 * out of queue space or failing internally, or the session is not bound (SMPP 3.4, section 5.1.3).
 * Every other error status, vendor codes included, is permanent: resubmitting the same message
 * would be rejected again.
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([
  smpp.ESME_RTHROTTLED,
  smpp.ESME_RMSGQFUL,
  smpp.ESME_RSYSERR,
  smpp.ESME_RINVBNDSTS,
  smpp.ESME_RX_T_APPN,
]);

export const NOT_CONNECTED_ERROR_CODE = 'NOT_CONNECTED';

/**
 * Maps the command_status and message_id of a submit_sm_resp (or generic_nack) to an outcome. The
 * message id is normalised, as the ids of receipts are.
 */
export function submitOutcomeFromResponse(commandStatus: number, messageId: string | undefined): SubmitOutcome {
  if (commandStatus === smpp.ESME_ROK) {
    if (messageId === undefined || messageId === '') {
      return { status: 'UNKNOWN', reason: 'SMSC accepted submit_sm but returned no message_id' };
    }
    return { status: 'ACCEPTED', providerMessageId: normaliseMessageId(messageId) };
  }

  const errorCode = commandStatusName(commandStatus);
  return {
    status: 'REJECTED',
    transient: TRANSIENT_STATUSES.has(commandStatus),
    errorCode,
    reason: `SMSC rejected submit_sm with ${errorCode}`,
  };
}

export function notConnectedOutcome(reason: string): SubmitOutcome {
  return { status: 'REJECTED', transient: true, errorCode: NOT_CONNECTED_ERROR_CODE, reason };
}
