import * as smpp from 'smpp';
import type { DeliverSmParams, Session } from 'smpp';

export type DeliveryKind = 'receipt' | 'mo';

/** One deliver_sm, sent until a bound receiver responds with ESME_ROK. */
export interface OutboundDelivery {
  readonly kind: DeliveryKind;
  readonly params: DeliverSmParams;
  readonly onAcknowledged?: () => void;
  readonly onAbandoned?: (error: Error) => void;
}

/** A session bound as receiver or transceiver, with the deliver_sm that still await its response. */
export interface ReceiverSession {
  readonly session: Session;
  readonly unansweredDeliveries: Set<OutboundDelivery>;
}

export interface DeliveryCounts {
  /** deliver_sm written, retries included. */
  sent: number;
  /** deliver_sm that got ESME_ROK. */
  acknowledged: number;
  /** deliver_sm that got an error status, or no response before their session closed; each is sent again. */
  retried: number;
  /** Deliveries scheduled and not yet acknowledged. */
  pending: number;
}

/**
 * Sends receipts and mobile-originated messages as deliver_sm, in turn to each bound receiver.
 * A delivery waits while no receiver is bound and is sent again `retryDelayMs` after an error
 * response or after its session closes unanswered, so the ESME gets it at least once.
 */
export class OutboundDeliveries {
  readonly counts: Readonly<Record<DeliveryKind, DeliveryCounts>> = { receipt: emptyCounts(), mo: emptyCounts() };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<OutboundDelivery>();
  private waitingForReceiver: OutboundDelivery[] = [];
  private rotation = 0;

  constructor(
    private readonly receivers: () => readonly ReceiverSession[],
    private readonly retryDelayMs: number,
  ) {}

  schedule(delivery: OutboundDelivery, delayMs: number): void {
    this.pending.add(delivery);
    this.counts[delivery.kind].pending += 1;
    if (delayMs <= 0) {
      this.send(delivery);
    } else {
      this.after(delayMs, () => this.send(delivery));
    }
  }

  /** Sends the deliveries that waited for a receiver. */
  onReceiverBound(): void {
    const waiting = this.waitingForReceiver;
    this.waitingForReceiver = [];
    for (const delivery of waiting) {
      this.send(delivery);
    }
  }

  onReceiverClosed(receiver: ReceiverSession): void {
    for (const delivery of receiver.unansweredDeliveries) {
      this.retryLater(delivery);
    }
    receiver.unansweredDeliveries.clear();
  }

  /** Drops every delivery not yet acknowledged; each MO sender learns it through `onAbandoned`. */
  abandonAll(error: Error): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    this.waitingForReceiver = [];

    const abandoned = [...this.pending];
    this.pending.clear();
    for (const kind of ['receipt', 'mo'] as const) {
      this.counts[kind].pending = 0;
    }
    for (const delivery of abandoned) {
      delivery.onAbandoned?.(error);
    }
  }

  resetCounts(): void {
    for (const kind of ['receipt', 'mo'] as const) {
      Object.assign(this.counts[kind], emptyCounts());
    }
  }

  private send(delivery: OutboundDelivery): void {
    if (!this.pending.has(delivery)) {
      return;
    }
    const receivers = this.receivers();
    if (receivers.length === 0) {
      this.waitingForReceiver.push(delivery);
      return;
    }

    this.rotation = (this.rotation + 1) % receivers.length;
    const receiver = receivers[this.rotation];
    const written = receiver.session.deliver_sm(delivery.params, (response) => {
      this.onResponse(receiver, delivery, response.command_status);
    });
    if (!written) {
      this.retryLater(delivery);
      return;
    }
    receiver.unansweredDeliveries.add(delivery);
    this.counts[delivery.kind].sent += 1;
  }

  private onResponse(receiver: ReceiverSession, delivery: OutboundDelivery, commandStatus: number): void {
    if (!receiver.unansweredDeliveries.delete(delivery) || !this.pending.has(delivery)) {
      return;
    }
    if (commandStatus !== smpp.ESME_ROK) {
      this.retryLater(delivery);
      return;
    }

    this.pending.delete(delivery);
    const counts = this.counts[delivery.kind];
    counts.acknowledged += 1;
    counts.pending -= 1;
    delivery.onAcknowledged?.();
  }

  private retryLater(delivery: OutboundDelivery): void {
    if (!this.pending.has(delivery)) {
      return;
    }
    this.counts[delivery.kind].retried += 1;
    this.after(this.retryDelayMs, () => this.send(delivery));
  }

  private after(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, delayMs);
    this.timers.add(timer);
  }
}

function emptyCounts(): DeliveryCounts {
  return { sent: 0, acknowledged: 0, retried: 0, pending: 0 };
}
