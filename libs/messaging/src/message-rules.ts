/**
 * Checks shared by both transports, so that a message or consumer the in-process transport
 * accepts is one JetStream accepts too.
 */
import type { ConsumeOptions, OutgoingMessage } from './command-transport.port';
import { InvalidConsumeOptionsError, InvalidMessageError } from './errors';
import { filterIsSubsetOf, isValidSubject, subjectMatchesFilter } from './subject-filter';

export const DEFAULT_ACK_WAIT_MS = 30_000;

/**
 * Lower bound of `ackWaitMs`. The JetStream transport extends a running handler's lease every
 * third of the ack wait, and a shorter wait would load the server with those extensions.
 */
export const MIN_ACK_WAIT_MS = 1_000;

/** A message that passed the checks, with its payload already serialised. */
export interface EncodedMessage {
  readonly id: string;
  readonly subject: string;
  readonly json: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ResolvedConsumeOptions {
  readonly consumerName: string;
  readonly subject: string;
  readonly concurrency: number;
  /** Undefined when deliveries are unlimited. */
  readonly maxDeliveries: number | undefined;
  readonly ackWaitMs: number;
}

/** RFC 9110 token characters, which NATS headers follow. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LINE_BREAK = /[\r\n]/;
const RESERVED_HEADER_PREFIX = 'nats-';
const CONSUMER_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Validates a message and serialises its payload to JSON.
 * Throws InvalidMessageError naming the field when the id, subject, a header or the payload
 * cannot be sent, or when no subject of the stream captures the message's subject.
 */
export function encodeMessage(message: OutgoingMessage, streamSubjects: readonly string[]): EncodedMessage {
  const { id, subject } = message;
  if (typeof id !== 'string' || id.length === 0 || LINE_BREAK.test(id)) {
    throw new InvalidMessageError(String(id), 'id', 'must be a non-empty string without line breaks');
  }

  if (typeof subject !== 'string' || !isValidSubject(subject, false)) {
    throw new InvalidMessageError(id, 'subject', `'${String(subject)}' is not a valid subject without wildcards`);
  }
  if (!streamSubjects.some((filter) => subjectMatchesFilter(subject, filter))) {
    throw new InvalidMessageError(
      id,
      'subject',
      `'${subject}' is not captured by the stream, whose subjects are ${streamSubjects.join(', ')}`,
    );
  }

  const headers = message.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    checkHeader(id, name, value);
  }

  return { id, subject, json: serialisePayload(id, message.payload), headers: { ...headers } };
}

/**
 * Validates consume options and fills in the defaults.
 * Throws InvalidConsumeOptionsError naming the option that no transport accepts.
 */
export function resolveConsumeOptions(options: ConsumeOptions, streamSubjects: readonly string[]): ResolvedConsumeOptions {
  const { consumerName, subject, concurrency, maxDeliveries } = options;
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;

  if (typeof consumerName !== 'string' || !CONSUMER_NAME.test(consumerName)) {
    throw new InvalidConsumeOptionsError(String(consumerName), 'consumerName', 'must contain only letters, digits, "-" and "_"');
  }
  if (typeof subject !== 'string' || !isValidSubject(subject, true)) {
    throw new InvalidConsumeOptionsError(consumerName, 'subject', `'${String(subject)}' is not a valid subject filter`);
  }
  if (!streamSubjects.some((streamSubject) => filterIsSubsetOf(subject, streamSubject))) {
    throw new InvalidConsumeOptionsError(
      consumerName,
      'subject',
      `'${subject}' is not within the stream's subjects ${streamSubjects.join(', ')}`,
    );
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidConsumeOptionsError(consumerName, 'concurrency', `${concurrency} must be an integer of at least 1`);
  }
  if (maxDeliveries !== undefined && (!Number.isInteger(maxDeliveries) || maxDeliveries < 1)) {
    throw new InvalidConsumeOptionsError(consumerName, 'maxDeliveries', `${maxDeliveries} must be an integer of at least 1`);
  }
  if (!Number.isInteger(ackWaitMs) || ackWaitMs < MIN_ACK_WAIT_MS) {
    throw new InvalidConsumeOptionsError(
      consumerName,
      'ackWaitMs',
      `${ackWaitMs} must be an integer number of milliseconds of at least ${MIN_ACK_WAIT_MS}`,
    );
  }

  return { consumerName, subject, concurrency, maxDeliveries, ackWaitMs };
}

/**
 * Returns why `outcome` is not a valid ConsumeOutcome, or undefined when it is. Handlers are
 * typed, but one written in plain JavaScript or cast through `unknown` can still return anything.
 */
export function describeInvalidOutcome(outcome: unknown): string | undefined {
  if (typeof outcome !== 'object' || outcome === null) {
    return `handler returned ${String(outcome)} instead of an outcome`;
  }

  const { kind, delayMs } = outcome as { kind?: unknown; delayMs?: unknown };
  if (kind === 'ack' || kind === 'reject') {
    return undefined;
  }
  if (kind !== 'retry') {
    return `handler returned an outcome of unknown kind '${String(kind)}'`;
  }
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    return `handler returned a retry with delayMs ${String(delayMs)}, expected a finite number >= 0`;
  }
  return undefined;
}

function checkHeader(messageId: string, name: string, value: unknown): void {
  if (!HEADER_NAME.test(name)) {
    throw new InvalidMessageError(messageId, `header '${name}'`, 'is not a valid header name');
  }
  if (name.toLowerCase().startsWith(RESERVED_HEADER_PREFIX)) {
    throw new InvalidMessageError(messageId, `header '${name}'`, 'uses the "Nats-" prefix reserved by the broker');
  }
  if (typeof value !== 'string' || LINE_BREAK.test(value)) {
    throw new InvalidMessageError(messageId, `header '${name}'`, 'must be a string without line breaks');
  }
}

function serialisePayload(messageId: string, payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new InvalidMessageError(messageId, 'payload', `cannot be serialised to JSON (${errorMessage(error)})`);
  }

  if (json === undefined) {
    throw new InvalidMessageError(messageId, 'payload', `of type ${typeof payload} has no JSON form`);
  }
  return json;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
