/**
 * Errors raised by the command transports. Each carries a stable `code`, because `instanceof`
 * does not survive a process boundary and a code does.
 */
export abstract class MessagingError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Failure to connect to the broker, or to find JetStream on it, when the transport starts. */
export class TransportConnectionError extends MessagingError {
  readonly code = 'MESSAGING.CONNECTION_FAILED';

  constructor(
    /** Broker URL with any credentials masked. */
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`could not connect to the message broker at ${url}: ${reason}`, options);
  }
}

/** Failure to create the stream, or an existing stream that does not match the transport's configuration. */
export class StreamSetupError extends MessagingError {
  readonly code = 'MESSAGING.STREAM_SETUP_FAILED';

  constructor(
    readonly streamName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`stream '${streamName}' could not be set up: ${reason}`, options);
  }
}

/** Message rejected before sending because its id, subject, a header or its payload is invalid. */
export class InvalidMessageError extends MessagingError {
  readonly code = 'MESSAGING.INVALID_MESSAGE';

  constructor(
    readonly messageId: string,
    readonly field: string,
    rule: string,
  ) {
    super(`message '${messageId}': ${field} ${rule}`);
  }
}

/** Consume options that no adapter accepts, such as a concurrency of 0. */
export class InvalidConsumeOptionsError extends MessagingError {
  readonly code = 'MESSAGING.INVALID_CONSUME_OPTIONS';

  constructor(
    readonly consumerName: string,
    readonly field: string,
    rule: string,
  ) {
    super(`consumer '${consumerName}': ${field} ${rule}`);
  }
}

/**
 * Conflict with an existing durable consumer. Either the name exists with another subject
 * filter, or, on a work-queue stream, another consumer already takes an overlapping subject.
 */
export class ConsumerConflictError extends MessagingError {
  readonly code = 'MESSAGING.CONSUMER_CONFLICT';

  constructor(
    readonly consumerName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`consumer '${consumerName}' cannot be started: ${reason}`, options);
  }
}

/** Failure to create or start a durable consumer for a reason other than a conflict, such as a timeout. */
export class ConsumerStartError extends MessagingError {
  readonly code = 'MESSAGING.CONSUMER_START_FAILED';

  constructor(
    readonly consumerName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`consumer '${consumerName}' could not be started: ${reason}`, options);
  }
}

/** Publish of one message that the broker did not store (timeout, lost connection, stream limits). */
export class PublishFailedError extends MessagingError {
  readonly code = 'MESSAGING.PUBLISH_FAILED';

  constructor(
    readonly messageId: string,
    readonly subject: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`message '${messageId}' on '${subject}' was not stored: ${reason}`, options);
  }
}

export interface PublishFailure {
  readonly messageId: string;
  readonly subject: string;
  readonly error: Error;
}

/**
 * Failure of some messages of a `publishMany` call. Others may have been stored. Publishing the
 * whole batch again within the duplicate window stores each message once, because ids are
 * deduplicated.
 */
export class PublishBatchFailedError extends MessagingError {
  readonly code = 'MESSAGING.PUBLISH_BATCH_FAILED';

  constructor(
    readonly failures: readonly PublishFailure[],
    /** Messages the broker acknowledged before publishing stopped. */
    readonly storedCount: number,
    readonly totalCount: number,
  ) {
    const first = failures[0];
    const firstFailure = first === undefined ? 'none' : `'${first.messageId}': ${first.error.message}`;
    super(
      `${failures.length} of ${totalCount} messages failed to publish and ${totalCount - storedCount - failures.length} ` +
        `were not attempted (first failure ${firstFailure}). Publishing the batch again is safe because ids are deduplicated`,
      { cause: first?.error },
    );
  }
}

/** Call on a closed transport, which accepts no more publishes or consumers. */
export class TransportClosedError extends MessagingError {
  readonly code = 'MESSAGING.TRANSPORT_CLOSED';

  constructor(operation: string) {
    super(`cannot ${operation}: the transport is closed`);
  }
}
