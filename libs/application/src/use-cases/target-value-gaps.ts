import { hasPlaceholderValue, UnfilledPlaceholder } from '@sms/domain';
import { ReadModels } from '../read-models/read-models.service';

/** Targets read per query of the scan. */
const SCAN_PAGE_SIZE = 1_000;

/**
 * Counts, for each key, the pending targets of a campaign that have no value for it. The scan
 * reads the targets read model in id order, one page per query, so it takes about as long as an
 * export of the pending targets. A target that the projector has not applied yet is not counted.
 */
export async function countPendingTargetsWithoutValues(
  readModels: ReadModels,
  campaignId: string,
  keys: readonly string[],
): Promise<UnfilledPlaceholder[]> {
  if (keys.length === 0) {
    return [];
  }
  const counts = new Map(keys.map((key) => [key, 0]));
  let afterId: string | undefined;
  for (;;) {
    const page = await readModels.queries.targets.scanTargets(campaignId, { afterId, limit: SCAN_PAGE_SIZE, status: 'PENDING' });
    for (const target of page) {
      const values = target.layout?.values ?? {};
      for (const key of keys) {
        if (!hasPlaceholderValue(values, key)) {
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    }
    if (page.length < SCAN_PAGE_SIZE) {
      break;
    }
    afterId = page[page.length - 1].id;
  }
  return keys.map((key) => ({ key, pendingTargets: counts.get(key) ?? 0 }));
}
