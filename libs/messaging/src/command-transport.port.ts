/**
 * The command transport port: at-least-once delivery of commands to competing consumers, with
 * deduplication of publishes by message id. Adapters: NATS JetStream and in-process; both pass
 * the contract suite in `contract/`.
 */

export interface OutgoingMessage {
  /** Deduplication key: publishing the same id twice within the dedup window delivers once. */
  readonly id: string;
  readonly subject: string;
  readonly payload: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IncomingMessage<Payload = unknown> {
  readonly id: string;
  readonly subject: string;
  readonly payload: Payload;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on first delivery, then incremented on each redelivery. */
  readonly deliveryCount: number;
}

/** What a handler decides about a message it was given. */
export type ConsumeOutcome =
  | { readonly kind: 'ack' }
  /** Deliver again after `delayMs`, to this consumer or another. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  /** Poison message: never deliver again. */
  | { readonly kind: 'reject'; readonly reason: string };

export type MessageHandler<Payload = unknown> = (message: IncomingMessage<Payload>) => Promise<ConsumeOutcome>;

export interface ConsumeOptions {
  /** Durable consumer name; consumers sharing it compete for messages. */
  readonly consumerName: string;
  /** Subject filter; `*` and `>` wildcards as in NATS. */
  readonly subject: string;
  /** Maximum number of handlers this consumer (one `consume()` call) runs at once. */
  readonly concurrency: number;
  /** A message delivered this many times without ack or reject is rejected as poison. */
  readonly maxDeliveries?: number;
  /**
   * Time after which the broker redelivers a message whose consumer went silent (crash, lost
   * connection), in milliseconds. Default 30 s, minimum 1 s. The JetStream transport extends
   * the claim while the handler runs, so this does not limit how long a handler may take.
   */
  readonly ackWaitMs?: number;
}

export interface Consumer {
  /** Stops taking messages and waits for the handlers under way. */
  stop(): Promise<void>;
}

/**
 * Delay before a message is redelivered after its handler threw instead of returning an outcome,
 * in milliseconds. Adapters log the error.
 */
export const HANDLER_ERROR_RETRY_DELAY_MS = 1_000;

export interface CommandTransport {
  publish(message: OutgoingMessage): Promise<void>;
  /** Publishes many messages; resolves when every one is stored (or deduplicated). */
  publishMany(messages: readonly OutgoingMessage[]): Promise<void>;
  consume<Payload>(options: ConsumeOptions, handler: MessageHandler<Payload>): Promise<Consumer>;
  close(): Promise<void>;
}

/**
 * Subjects. Commands go to `sms.commands.<name>`; events for external consumers (Reporter feed,
 * chat flow) to their own subjects outside the command stream.
 */
export const COMMAND_SUBJECT_PREFIX = 'sms.commands';
