/** A message this process submitted, as its target's stream stood after SmsAttempted. */
export interface SubmittedAttempt {
  readonly targetId: string;
  readonly campaignId: string;
  readonly attemptId: string;
  readonly attemptNumber: number;
  readonly sessionId: string;
  /** Target stream revision right after SmsAttempted. */
  readonly revision: number;
}

/** Receipts expected after this many submits are no longer remembered; they take the slow path. */
const DEFAULT_CAPACITY = 200_000;

/**
 * Submissions of this process whose delivery receipt has not come yet, by provider message id.
 * A receipt for one of them is appended with the known revision, without reading the target's
 * stream. The entry is a promise because a receipt can arrive before SmsAttempted is stored.
 * Receipts of other processes' submissions, or of forgotten ones, go through the command handler.
 */
export class RecentSubmissions {
  private readonly entries = new Map<string, Promise<SubmittedAttempt | undefined>>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  remember(providerMessageId: string, recorded: Promise<SubmittedAttempt | undefined>): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(providerMessageId, recorded);
  }

  /** Returns and removes the submission, so a repeated receipt takes the slow path and is deduplicated there. */
  take(providerMessageId: string): Promise<SubmittedAttempt | undefined> | undefined {
    const entry = this.entries.get(providerMessageId);
    this.entries.delete(providerMessageId);
    return entry;
  }
}
