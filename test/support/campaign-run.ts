import { HttpClient } from './http-client';

/** Counts of the campaign's targets by status, as `GET /campaigns/:id` returns them (`pending`, `inProgress`, `sent`, ...). */
export async function campaignCounts(maker: HttpClient, campaignId: string): Promise<Record<string, number>> {
  const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
  return body.counts;
}

export async function switchOn(maker: HttpClient, campaignId: string): Promise<void> {
  const switched = await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
  if (switched.status !== 200) {
    throw new Error(`switching campaign ${campaignId} ON returned ${switched.status}: ${JSON.stringify(switched.body)}`);
  }
}

/** Generates a CSV of `rows` distinct French mobile numbers from +33610000000 up, each with a first name, all due at once. */
export function generatedTargetsCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, index) => `+336${String(10_000_000 + index)},,${(index % 10) + 1},false,Client${index}`);
  return ['phoneNumber,startDate,priority,insertIfDuplicate,firstName', ...lines].join('\n');
}

/** Waits until at least `count` targets have an outcome; returns the counts then. */
export async function waitUntilAttempted(
  maker: HttpClient,
  campaignId: string,
  count: number,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await campaignCounts(maker, campaignId);
    const attempted = counts.sent + counts.delivered + counts.undelivered + counts.failed + counts.unknown;
    if (attempted >= count) return counts;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} attempted targets: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
}

/**
 * Waits until no target is pending, in progress or awaiting its receipt. Returns false at the
 * deadline instead of failing, so the caller can report what is left.
 */
export async function waitUntilSettled(maker: HttpClient, campaignId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await campaignCounts(maker, campaignId).catch(() => undefined);
    if (counts !== undefined && counts.pending + counts.inProgress + counts.sent === 0) return true;
    await sleep(500);
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
