/**
 * The SMS gateway port: submit a message to an SMSC or provider, and receive its delivery
 * receipts and the replies of recipients. Adapters: SMPP client, HTTP provider; the SMSC
 * simulator is an SMPP server reached through the SMPP adapter.
 */

export interface SmsSubmission {
  /** Our attempt id; adapters pass it along where the protocol allows, for tracing. */
  readonly attemptId: string;
  /** Originator: alphanumeric sender id, short code, or E.164 number. */
  readonly from: string;
  /** Destination in E.164 (`+33612345678`). */
  readonly to: string;
  readonly text: string;
}

export type SubmitOutcome =
  | { readonly status: 'ACCEPTED'; readonly providerMessageId: string }
  /**
   * The provider responded with an error. `transient` errors (throttling, queue full, not
   * connected before submit) may be retried; permanent ones (invalid destination, rejected
   * content) may not.
   */
  | { readonly status: 'REJECTED'; readonly transient: boolean; readonly errorCode: string; readonly reason: string }
  /** The message may have reached the provider, but no response came (timeout, connection lost after send). */
  | { readonly status: 'UNKNOWN'; readonly reason: string };

export type DeliveryStatus = 'DELIVERED' | 'UNDELIVERED' | 'EXPIRED' | 'REJECTED' | 'ACCEPTED' | 'ENROUTE' | 'UNKNOWN';

/** Final statuses end an attempt; the others are intermediate. */
export const FINAL_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['DELIVERED', 'UNDELIVERED', 'EXPIRED', 'REJECTED'];

export interface DeliveryReceipt {
  /** Provider message id as returned by the submit, normalised by the adapter. */
  readonly providerMessageId: string;
  readonly status: DeliveryStatus;
  /** Provider error code, when the receipt carries one. */
  readonly errorCode?: string;
  readonly doneAt: Date;
}

export interface InboundMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly receivedAt: Date;
}

export interface SmsGatewayListener {
  onDeliveryReceipt(receipt: DeliveryReceipt): Promise<void>;
  onInboundMessage(message: InboundMessage): Promise<void>;
}

export interface SmsGateway {
  /** Connects (and binds); resolves once the gateway can submit. */
  start(listener: SmsGatewayListener): Promise<void>;
  submit(submission: SmsSubmission): Promise<SubmitOutcome>;
  isReady(): boolean;
  close(): Promise<void>;
}
