import { TargetLayoutValues } from '@sms/domain';

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
}
