import type { DecodedMessage, DeliverSmPdu } from 'smpp';

import type { DeliveryReceipt, InboundMessage } from '../sms-gateway.port';
import {
  deliveryStatusFromMessageState,
  deliveryStatusFromStat,
  normaliseMessageId,
  parseReceiptDate,
  parseReceiptText,
} from './delivery-receipt';
import { fromSmppAddress } from './smpp-address';

/**
 * Message type bits 2-5 of esm_class in a deliver_sm (SMPP 3.4, section 5.2.12): 0x04 is an SMSC
 * delivery receipt, 0x20 an intermediate delivery notification.
 */
const ESM_CLASS_MESSAGE_TYPE_MASK = 0x3c;
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
const ESM_CLASS_INTERMEDIATE_NOTIFICATION = 0x20;

export type DeliverSmContent =
  | { readonly kind: 'receipt'; readonly receipt: DeliveryReceipt }
  | { readonly kind: 'inbound'; readonly message: InboundMessage }
  | { readonly kind: 'unreadable-receipt'; readonly reason: string };

/**
 * Reads a deliver_sm as a delivery receipt, or as a mobile-originated message when it is not a
 * receipt. A receipt's id and status come from the receipted_message_id and message_state TLVs
 * when present, and from the receipt text otherwise. `receivedAt` replaces a missing done date.
 */
export function readDeliverSm(pdu: DeliverSmPdu, receivedAt: Date): DeliverSmContent {
  const text = messageText(pdu);
  if (!isDeliveryReceipt(pdu)) {
    return {
      kind: 'inbound',
      message: {
        from: fromSmppAddress(pdu.source_addr_ton, pdu.source_addr),
        to: fromSmppAddress(pdu.dest_addr_ton, pdu.destination_addr),
        text,
        receivedAt,
      },
    };
  }

  const parsed = parseReceiptText(text);
  const id = pdu.receipted_message_id ?? parsed?.id;
  if (id === undefined || id.trim() === '') {
    return { kind: 'unreadable-receipt', reason: 'receipt has neither receipted_message_id nor an id: field' };
  }

  const status =
    pdu.message_state !== undefined ? deliveryStatusFromMessageState(pdu.message_state) : deliveryStatusFromStat(parsed?.stat ?? '');
  const doneAt = parsed?.doneDate === undefined ? undefined : parseReceiptDate(parsed.doneDate);
  const errorCode = parsed?.err !== undefined && /[1-9a-z]/i.test(parsed.err) ? parsed.err : undefined;
  return {
    kind: 'receipt',
    receipt: {
      providerMessageId: normaliseMessageId(id),
      status,
      ...(errorCode === undefined ? {} : { errorCode }),
      doneAt: doneAt ?? receivedAt,
    },
  };
}

export function isDeliveryReceipt(pdu: DeliverSmPdu): boolean {
  const messageType = pdu.esm_class & ESM_CLASS_MESSAGE_TYPE_MASK;
  return (
    messageType === ESM_CLASS_DELIVERY_RECEIPT ||
    messageType === ESM_CLASS_INTERMEDIATE_NOTIFICATION ||
    pdu.receipted_message_id !== undefined
  );
}

/** Returns the text of a deliver_sm, from message_payload when present and from short_message otherwise. */
function messageText(pdu: DeliverSmPdu): string {
  return decodedText(pdu.message_payload) ?? decodedText(pdu.short_message) ?? '';
}

function decodedText(decoded: DecodedMessage | undefined): string | undefined {
  if (decoded === undefined) {
    return undefined;
  }
  // NOTE: octets of a data_coding the smpp package cannot decode (8-bit binary, for instance) are
  // read as Latin-1, and concatenated MO segments (with a UDH) are passed on one by one, not joined.
  return typeof decoded.message === 'string' ? decoded.message : decoded.message.toString('latin1');
}
