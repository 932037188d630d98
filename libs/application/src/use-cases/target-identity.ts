import { createHmac, randomUUID } from 'node:crypto';

/**
 * Target ids. Unless duplicates are allowed, a target's id is a keyed hash of its campaign and
 * phone number: the second add of the same number to a campaign hits the same stream and fails
 * its `no_stream` expectation, which makes duplicate detection exact under concurrent imports
 * without the number ever appearing in a stream name.
 */
export class TargetIdentity {
  constructor(private readonly key: string) {}

  idFor(campaignId: string, e164: string, allowDuplicate: boolean): string {
    if (allowDuplicate) {
      return randomUUID();
    }
    const digest = createHmac('sha256', this.key).update(`${campaignId}\n${e164}`).digest('base64url');
    return `h${digest.slice(0, 26)}`;
  }
}
