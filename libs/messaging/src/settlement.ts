import { HANDLER_ERROR_RETRY_DELAY_MS, type ConsumeOutcome, type IncomingMessage, type MessageHandler } from './command-transport.port';
import type { TransportLogger } from './logger';
import { describeInvalidOutcome, toError } from './message-rules';

/**
 * Action a transport takes on a delivered message once its handler returns: acknowledge it,
 * deliver it again after a delay, or terminate it so that it is not delivered again.
 */
export type Settlement =
  | { readonly action: 'ack' }
  | { readonly action: 'redeliver'; readonly delayMs: number }
  | { readonly action: 'terminate'; readonly reason: string };

export interface DeliveryContext {
  readonly consumerName: string;
  /** Undefined when deliveries are unlimited. */
  readonly maxDeliveries: number | undefined;
  readonly logger: TransportLogger;
}

/**
 * Runs `handler` on one delivery and turns its outcome into a settlement. Errors from the
 * handler are caught here and do not propagate.
 *
 * A handler that throws, or returns something that is not an outcome, is logged and treated as
 * a retry after HANDLER_ERROR_RETRY_DELAY_MS. A retry on the last allowed delivery becomes a
 * termination, so a message reaches the handler at most `maxDeliveries` times.
 */
export async function runHandler<Payload>(
  handler: MessageHandler<Payload>,
  message: IncomingMessage<Payload>,
  context: DeliveryContext,
): Promise<Settlement> {
  const fields = logFields(message, context);

  let outcome: unknown;
  try {
    outcome = await handler(message);
  } catch (error) {
    context.logger.error({ ...fields, err: toError(error) }, 'message handler threw, so the message will be redelivered');
    return retryOrTerminate(message, context, HANDLER_ERROR_RETRY_DELAY_MS, 'handler threw', fields);
  }

  const invalid = describeInvalidOutcome(outcome);
  if (invalid !== undefined) {
    context.logger.error({ ...fields, reason: invalid }, 'message handler returned an invalid outcome, so the message will be redelivered');
    return retryOrTerminate(message, context, HANDLER_ERROR_RETRY_DELAY_MS, invalid, fields);
  }

  const valid = outcome as ConsumeOutcome;
  switch (valid.kind) {
    case 'ack':
      return { action: 'ack' };
    case 'reject':
      context.logger.warn({ ...fields, reason: valid.reason }, 'message rejected by its handler');
      return { action: 'terminate', reason: valid.reason };
    case 'retry':
      context.logger.info({ ...fields, reason: valid.reason, delayMs: valid.delayMs }, 'message handler requested a retry');
      return retryOrTerminate(message, context, valid.delayMs, valid.reason, fields);
    default:
      return assertNever(valid);
  }
}

/**
 * Returns a termination, and logs it, when the message was delivered more often than
 * `maxDeliveries` allows, so that its handler is not run. Returns undefined otherwise.
 */
export function checkDeliveryLimit(message: IncomingMessage<unknown>, context: DeliveryContext): Settlement | undefined {
  if (context.maxDeliveries === undefined || message.deliveryCount <= context.maxDeliveries) {
    return undefined;
  }

  const reason = `delivered ${message.deliveryCount} times, more than maxDeliveries ${context.maxDeliveries}`;
  context.logger.warn({ ...logFields(message, context), reason }, 'message terminated as poison');
  return { action: 'terminate', reason };
}

/** Log fields that identify one delivery. The payload is left out because it may contain personal data. */
export function logFields(message: IncomingMessage<unknown>, context: DeliveryContext): Record<string, unknown> {
  return {
    messageId: message.id,
    subject: message.subject,
    consumer: context.consumerName,
    deliveryCount: message.deliveryCount,
  };
}

function retryOrTerminate(
  message: IncomingMessage<unknown>,
  context: DeliveryContext,
  delayMs: number,
  reason: string,
  fields: Record<string, unknown>,
): Settlement {
  const { maxDeliveries } = context;
  if (maxDeliveries !== undefined && message.deliveryCount >= maxDeliveries) {
    const finalReason = `${reason} (gave up after delivery ${message.deliveryCount} of maxDeliveries ${maxDeliveries})`;
    context.logger.warn({ ...fields, reason: finalReason }, 'message terminated as poison');
    return { action: 'terminate', reason: finalReason };
  }
  return { action: 'redeliver', delayMs: Math.round(delayMs) };
}

function assertNever(value: never): never {
  throw new Error(`Internal error: unhandled consume outcome ${JSON.stringify(value)}`);
}
