import type {
  CommandTransport,
  ConsumeOptions,
  Consumer,
  IncomingMessage,
  MessageHandler,
  OutgoingMessage,
} from '../command-transport.port';
import { ConsumerConflictError, TransportClosedError } from '../errors';
import { silentLogger, type TransportLogger } from '../logger';
import { encodeMessage, resolveConsumeOptions, type EncodedMessage, type ResolvedConsumeOptions } from '../message-rules';
import { checkDeliveryLimit, runHandler, type DeliveryContext, type Settlement } from '../settlement';
import { filtersOverlap, subjectMatchesFilter } from '../subject-filter';
import { COMMAND_STREAM_SUBJECTS } from '../subjects';

export interface InProcessTransportOptions {
  /** Subjects the in-memory stream accepts. A publish to another subject is rejected, as on JetStream. */
  readonly subjects?: readonly string[];
  /** How long a message id is remembered for deduplication, in milliseconds. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  readonly logger?: TransportLogger;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/**
 * Creates the command transport of the embedded profile. It keeps the semantics of a JetStream
 * work-queue stream in memory: ids deduplicated within a window, one durable group per consumer
 * name whose members compete for messages, and a subject taken by one group only.
 *
 * Messages live in memory only, so they are lost when the process stops. Because a handler
 * cannot outlive its process here, `ackWaitMs` has no effect: a message is redelivered only
 * after a retry, a handler error, or the stop of the transport.
 */
export function createInProcessTransport(options: InProcessTransportOptions = {}): InProcessTransport {
  return new InProcessTransport(options);
}

interface StoredMessage {
  readonly encoded: EncodedMessage;
  deliveryCount: number;
}

/** Durable state of one consumer name: its filter, its waiting messages and its live members. */
interface ConsumerGroup {
  readonly name: string;
  readonly subject: string;
  maxDeliveries: number | undefined;
  /** Messages waiting for a member, oldest first. Redeliveries go to the front. */
  readonly ready: StoredMessage[];
  readonly members: InProcessConsumer[];
  /** Index of the member that gets the next message when it has a free slot (round robin). */
  nextMember: number;
}

export class InProcessTransport implements CommandTransport {
  private readonly subjects: readonly string[];
  private readonly duplicateWindowMs: number;
  private readonly logger: TransportLogger;

  /**
   * Message id to the time (ms since epoch) until which a publish with that id is dropped.
   * Insertion order is expiry order, so expired ids are always at the start.
   */
  private readonly recentIds = new Map<string, number>();
  /** Messages whose subject no group takes yet. A group created later receives them. */
  private readonly unrouted: StoredMessage[] = [];
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly redeliveryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(options: InProcessTransportOptions) {
    this.subjects = options.subjects ?? COMMAND_STREAM_SUBJECTS;
    this.duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.logger = options.logger ?? silentLogger;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    this.assertOpen('publish');
    this.store(encodeMessage(message, this.subjects));
  }

  /** Validates every message before storing any, so an invalid one leaves nothing half-published. */
  async publishMany(messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen('publish');
    const encoded = messages.map((message) => encodeMessage(message, this.subjects));
    for (const message of encoded) {
      this.store(message);
    }
  }

  async consume<Payload>(options: ConsumeOptions, handler: MessageHandler<Payload>): Promise<Consumer> {
    this.assertOpen('consume');
    const resolved = resolveConsumeOptions(options, this.subjects);
    const group = this.joinGroup(resolved);

    const consumer = new InProcessConsumer(
      resolved.concurrency,
      handler as MessageHandler<unknown>,
      group,
      this.logger,
      (settled, settlement) => this.settle(group, settled, settlement),
      () => this.dispatch(group),
    );
    group.members.push(consumer);
    this.dispatch(group);
    return consumer;
  }

  /** Stops every consumer, waits for their handlers, and cancels pending redeliveries. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;

    const members = [...this.groups.values()].flatMap((group) => group.members);
    await Promise.all(members.map((member) => member.stop()));

    for (const timer of this.redeliveryTimers) {
      clearTimeout(timer);
    }
    this.redeliveryTimers.clear();
    this.recentIds.clear();
    this.unrouted.length = 0;
    this.groups.clear();
  }

  private store(encoded: EncodedMessage): void {
    const now = Date.now();
    this.forgetExpiredIds(now);
    if (this.recentIds.has(encoded.id)) {
      return;
    }
    this.recentIds.set(encoded.id, now + this.duplicateWindowMs);

    const stored: StoredMessage = { encoded, deliveryCount: 0 };
    const group = [...this.groups.values()].find((candidate) => subjectMatchesFilter(encoded.subject, candidate.subject));
    if (group === undefined) {
      this.unrouted.push(stored);
      return;
    }
    group.ready.push(stored);
    this.dispatch(group);
  }

  private forgetExpiredIds(now: number): void {
    for (const [id, expiresAt] of this.recentIds) {
      if (expiresAt > now) {
        return;
      }
      this.recentIds.delete(id);
    }
  }

  /**
   * Returns the group of `options.consumerName`, creating it when it is new. Like a JetStream
   * work-queue stream, a name keeps its filter, and two names may not take overlapping subjects.
   */
  private joinGroup(options: ResolvedConsumeOptions): ConsumerGroup {
    const existing = this.groups.get(options.consumerName);
    if (existing !== undefined) {
      if (existing.subject !== options.subject) {
        throw new ConsumerConflictError(
          options.consumerName,
          `it already exists with subject filter '${existing.subject}', not '${options.subject}'`,
        );
      }
      existing.maxDeliveries = options.maxDeliveries;
      return existing;
    }

    for (const other of this.groups.values()) {
      if (filtersOverlap(other.subject, options.subject)) {
        throw new ConsumerConflictError(
          options.consumerName,
          `consumer '${other.name}' already takes subject filter '${other.subject}', which overlaps ` +
            `'${options.subject}' on this work-queue stream`,
        );
      }
    }

    const group: ConsumerGroup = {
      name: options.consumerName,
      subject: options.subject,
      maxDeliveries: options.maxDeliveries,
      ready: [],
      members: [],
      nextMember: 0,
    };
    this.groups.set(group.name, group);
    this.claimUnrouted(group);
    return group;
  }

  private claimUnrouted(group: ConsumerGroup): void {
    const remaining: StoredMessage[] = [];
    for (const stored of this.unrouted) {
      if (subjectMatchesFilter(stored.encoded.subject, group.subject)) {
        group.ready.push(stored);
      } else {
        remaining.push(stored);
      }
    }
    this.unrouted.splice(0, this.unrouted.length, ...remaining);
  }

  /** Hands waiting messages to members with a free slot, round robin, until one side runs out. */
  private dispatch(group: ConsumerGroup): void {
    while (group.ready.length > 0) {
      const member = this.nextFreeMember(group);
      if (member === undefined) {
        return;
      }
      const stored = group.ready.shift() as StoredMessage;
      member.deliver(stored);
    }
  }

  private nextFreeMember(group: ConsumerGroup): InProcessConsumer | undefined {
    const count = group.members.length;
    for (let offset = 0; offset < count; offset++) {
      const index = (group.nextMember + offset) % count;
      const member = group.members[index];
      if (member.hasFreeSlot()) {
        group.nextMember = (index + 1) % count;
        return member;
      }
    }
    return undefined;
  }

  private settle(group: ConsumerGroup, stored: StoredMessage, settlement: Settlement): void {
    if (settlement.action !== 'redeliver' || this.closed) {
      return;
    }

    const timer = setTimeout(() => {
      this.redeliveryTimers.delete(timer);
      group.ready.unshift(stored);
      this.dispatch(group);
    }, settlement.delayMs);
    this.redeliveryTimers.add(timer);
  }

  private assertOpen(operation: string): void {
    if (this.closed) {
      throw new TransportClosedError(operation);
    }
  }
}

/** One member of a consumer group: at most `concurrency` of its handlers run at once. */
class InProcessConsumer implements Consumer {
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly handler: MessageHandler<unknown>,
    private readonly group: ConsumerGroup,
    private readonly logger: TransportLogger,
    private readonly onSettled: (stored: StoredMessage, settlement: Settlement) => void,
    private readonly onSlotFreed: () => void,
  ) {}

  hasFreeSlot(): boolean {
    return !this.stopped && this.running.size < this.concurrency;
  }

  deliver(stored: StoredMessage): void {
    stored.deliveryCount += 1;
    const run = this.handle(stored).finally(() => {
      this.running.delete(run);
      this.onSlotFreed();
    });
    this.running.add(run);
  }

  /** Leaves the group, so no new message comes, and waits for the handlers under way. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      const index = this.group.members.indexOf(this);
      if (index !== -1) {
        this.group.members.splice(index, 1);
      }
    }
    await Promise.all([...this.running]);
  }

  private async handle(stored: StoredMessage): Promise<void> {
    const message = toIncomingMessage(stored);
    const context: DeliveryContext = {
      consumerName: this.group.name,
      maxDeliveries: this.group.maxDeliveries,
      logger: this.logger,
    };

    // A microtask boundary, so that a handler never runs inside the publish that stored its message.
    await Promise.resolve();
    const settlement = checkDeliveryLimit(message, context) ?? (await runHandler(this.handler, message, context));
    this.onSettled(stored, settlement);
  }
}

/** Parses the stored JSON again for every delivery, so handlers never share or mutate one object. */
function toIncomingMessage(stored: StoredMessage): IncomingMessage<unknown> {
  const { id, subject, json, headers } = stored.encoded;
  return {
    id,
    subject,
    payload: JSON.parse(json) as unknown,
    headers: { ...headers },
    deliveryCount: stored.deliveryCount,
  };
}
