import { TargetLayoutValues } from '@sms/domain';
import type { ThroughputLimit } from '../throughput/throughput-slots';

/**
 * The send command. `claimRevision` is the target stream's revision right after the claim: a
 * sender whose append with it as expected revision succeeds knows the target is unchanged since.
 * The phone number travels in the command so a sender needs no read before submitting.
 */
export interface SendSmsMessage {
  readonly attemptId: string;
  readonly attemptNumber: number;
  readonly targetId: string;
  readonly campaignId: string;
  readonly sessionId: string;
  readonly claimRevision: number;
  readonly phoneNumber: string;
  readonly layout: TargetLayoutValues | null;
  /** ISO-8601 instant the attempt was claimed; used to measure due-to-submit latency. */
  readonly claimedAt: string;
  /**
   * The send slot booked for this message under `limits`, as epoch milliseconds; absent when the
   * campaign and its sender have no throughput cap.
   */
  readonly notBefore?: number;
  readonly limits?: readonly ThroughputLimit[];
}
