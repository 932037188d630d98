import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';

import type { Consumer, IncomingMessage, MessageHandler } from '../command-transport.port';
import type { TransportLogger } from '../logger';
import { toError, type ResolvedConsumeOptions } from '../message-rules';
import { checkDeliveryLimit, runHandler, type DeliveryContext, type Settlement } from '../settlement';
import { ensureConsumer } from './jetstream-setup';
import { Semaphore } from './semaphore';

export interface JetStreamConsumerContext {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly streamName: string;
  /** Lifetime of one pull request on the server, in milliseconds. */
  readonly pullExpiresMs: number;
  readonly logger: TransportLogger;
}

/** Pause before a consumer whose pull loop failed (consumer deleted, server error) starts again, in milliseconds. */
const RESTART_DELAY_MS = 2_000;

const MSG_ID_HEADER = 'Nats-Msg-Id';
const RESERVED_HEADER_PREFIX = 'nats-';

/**
 * One process's member of a durable pull consumer.
 *
 * It requests at most `concurrency` messages at a time from the server, and takes the next message
 * from the client buffer only once a handler slot is free. So no more than `concurrency`
 * handlers run at once, and no more than about as many messages wait in the buffer, where
 * their ack wait is running. While a handler runs, its message's ack wait is extended every
 * third of `ackWaitMs`. The server therefore redelivers a message elsewhere only when this
 * process stops extending it: a crash, a lost connection, or a handler outliving the process.
 */
export class JetStreamConsumer implements Consumer {
  private readonly slots: Semaphore;
  private readonly running = new Set<Promise<void>>();
  private readonly delivery: DeliveryContext;
  private messages: ConsumerMessages | undefined;
  private pullLoop: Promise<void> = Promise.resolve();
  private stopping = false;
  private cancelRestartDelay: (() => void) | undefined;

  private constructor(
    private readonly context: JetStreamConsumerContext,
    private readonly options: ResolvedConsumeOptions,
    private readonly handler: MessageHandler<unknown>,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.delivery = {
      consumerName: options.consumerName,
      maxDeliveries: options.maxDeliveries,
      logger: context.logger,
    };
  }

  /** Creates or updates the durable, then starts pulling. Setup errors reach the caller. */
  static async start(
    context: JetStreamConsumerContext,
    options: ResolvedConsumeOptions,
    handler: MessageHandler<unknown>,
  ): Promise<JetStreamConsumer> {
    const consumer = new JetStreamConsumer(context, options, handler);
    const messages = await consumer.openPull();
    consumer.pullLoop = consumer.keepPulling(messages);
    return consumer;
  }

  /** Stops pulling, returns buffered messages to the server, and waits for the handlers under way. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.cancelRestartDelay?.();
      await this.messages?.close();
    }
    await this.pullLoop;
    await Promise.all([...this.running]);
  }

  private async openPull(): Promise<ConsumerMessages> {
    const { js, jsm, streamName, pullExpiresMs } = this.context;
    await ensureConsumer(jsm, streamName, this.options);

    const consumer = await js.consumers.get(streamName, this.options.consumerName);
    const messages = await consumer.consume({ max_messages: this.options.concurrency, expires: pullExpiresMs });
    this.messages = messages;
    void this.closeWhenDurableDisappears(messages);
    return messages;
  }

  /**
   * Ends the pull when the server reports the durable deleted or missing, so that keepPulling
   * creates it again. nats.js alone would keep polling for a durable that no longer exists.
   */
  private async closeWhenDurableDisappears(messages: ConsumerMessages): Promise<void> {
    for await (const notification of messages.status()) {
      if (notification.type === 'consumer_deleted' || notification.type === 'consumer_not_found') {
        this.context.logger.warn(
          { ...this.logFields(), notification: notification.type },
          'JetStream durable consumer is gone from the server, creating it again',
        );
        await messages.close();
        return;
      }
    }
  }

  /**
   * Runs the pull loop until stop(). nats.js resumes a pull on its own after a reconnect, so this
   * loop restarts the pull only when it ends or fails, for example when the durable was deleted.
   */
  private async keepPulling(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (!this.stopping) {
      try {
        messages ??= await this.openPull();
        if (this.stopping) {
          // stop() ran while the pull was being opened, so it could not close this one.
          await messages.close();
          return;
        }
        await this.dispatch(messages);
        if (!this.stopping) {
          this.context.logger.warn(this.logFields(), 'JetStream pull ended unexpectedly, restarting it');
        }
      } catch (error) {
        if (this.stopping) {
          return;
        }
        this.context.logger.error(
          { ...this.logFields(), err: toError(error), restartDelayMs: RESTART_DELAY_MS },
          'JetStream pull failed, restarting it',
        );
      }

      messages = undefined;
      if (!this.stopping) {
        await this.waitBeforeRestart();
      }
    }
  }

  private async dispatch(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      await this.slots.acquire();
      if (this.stopping) {
        this.slots.release();
        this.returnToServer(msg);
        continue;
      }

      const run = this.handle(msg).finally(() => {
        this.running.delete(run);
        this.slots.release();
      });
      this.running.add(run);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    let message: IncomingMessage<unknown>;
    try {
      message = decodeMessage(msg);
    } catch (error) {
      this.context.logger.error(
        { ...this.logFields(), streamSequence: msg.seq, subject: msg.subject, err: toError(error) },
        'message payload is not valid JSON, terminating the message',
      );
      this.apply(msg, { action: 'terminate', reason: 'payload is not valid JSON' });
      return;
    }

    const settlement = checkDeliveryLimit(message, this.delivery) ?? (await this.runWithExtendedAckWait(msg, message));
    this.apply(msg, settlement);
  }

  private async runWithExtendedAckWait(msg: JsMsg, message: IncomingMessage<unknown>): Promise<Settlement> {
    const extension = setInterval(
      () => {
        try {
          msg.working();
        } catch {
          // The connection is closed, so the server redelivers the message after its ack wait.
        }
      },
      Math.floor(this.options.ackWaitMs / 3),
    );

    try {
      return await runHandler(this.handler, message, this.delivery);
    } finally {
      clearInterval(extension);
    }
  }

  private apply(msg: JsMsg, settlement: Settlement): void {
    try {
      switch (settlement.action) {
        case 'ack':
          msg.ack();
          return;
        case 'redeliver':
          msg.nak(settlement.delayMs);
          return;
        case 'terminate':
          // No reason argument: nats-server 2.9.10 does not terminate on a "+TERM <reason>" ack and
          // redelivers the message (the reject contract test fails with one). The reason is logged
          // where the settlement was decided.
          msg.term();
          return;
      }
    } catch (error) {
      this.context.logger.warn(
        { ...this.logFields(), streamSequence: msg.seq, action: settlement.action, err: toError(error) },
        'could not send the settlement to the server, which redelivers the message after its ack wait',
      );
    }
  }

  /** Hands a buffered message back at once instead of letting its ack wait run out. */
  private returnToServer(msg: JsMsg): void {
    this.apply(msg, { action: 'redeliver', delayMs: 0 });
  }

  private async waitBeforeRestart(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, RESTART_DELAY_MS);
      this.cancelRestartDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.cancelRestartDelay = undefined;
  }

  private logFields(): Record<string, unknown> {
    return { stream: this.context.streamName, consumer: this.options.consumerName };
  }
}

/**
 * Converts a JetStream message to the port's shape, without the broker's `Nats-*` headers. The
 * id comes from `Nats-Msg-Id`, or from the stream sequence for a message published without one.
 * Throws when the payload is not JSON.
 */
function decodeMessage(msg: JsMsg): IncomingMessage<unknown> {
  const headers: Record<string, string> = {};
  let id = `${msg.info.stream}:${msg.seq}`;

  // JsMsg.headers is typed `any` under node10 module resolution, so the type is restated here.
  const received: MsgHdrs | undefined = msg.headers;
  if (received !== undefined) {
    for (const name of received.keys()) {
      if (name === MSG_ID_HEADER) {
        id = received.get(name);
      } else if (!name.toLowerCase().startsWith(RESERVED_HEADER_PREFIX)) {
        headers[name] = received.get(name);
      }
    }
  }

  return {
    id,
    subject: msg.subject,
    payload: msg.json<unknown>(),
    headers,
    deliveryCount: msg.info.deliveryCount,
  };
}
