import { createHmac, randomUUID } from 'node:crypto';

/**
 * Target ids. Unless duplicates are allowed, a target's id is a keyed hash of its campaign and
 * phone number. The second add of the same number to a campaign then hits the same stream and
 * fails its `no_stream` expectation. That makes duplicate detection exact under concurrent
 * imports, and the number never appears in a stream name.
 */
export class TargetIdentity {
  constructor(private readonly key: string) {}

  idFor(campaignId: string, e164: string, allowDuplicate: boolean): string {
    if (allowDuplicate) {
      return randomUUID();
    }
    return this.hash(`${campaignId}\n${e164}`);
  }

  copyIdFor(campaignId: string, sourceTargetId: string): string {
    return this.hash(`copy\n${campaignId}\n${sourceTargetId}`);
  }

  private hash(input: string): string {
    const digest = createHmac('sha256', this.key).update(input).digest('base64url');
    return `h${digest.slice(0, 26)}`;
  }
}
