import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { createTestDatabase } from '../support/test-environment';

/** Rows of the CSV that both imports upload: distinct numbers, in three spellings. */
const ROWS = 3_000;

/**
 * Two imports of the same CSV into one campaign, uploaded at once. Target ids are a keyed hash of
 * the campaign and the number, and each TargetAdded is appended with `no_stream`, so the store
 * itself keeps each number once, whichever import reaches it first. It runs on PostgreSQL, where
 * the two imports' transactions really overlap, since PGlite runs one transaction at a time.
 *
 * NOTE: the embedded (PGlite) variant of this test failed intermittently on a loaded machine with
 * ECONNRESET on the status polls, which share the event loop with PGlite; it is not run until
 * that is understood.
 */
describe('two concurrent imports of one file on PostgreSQL', () => {
  let embedded: EmbeddedService;
  let dropDatabase: (() => Promise<void>) | undefined;
  let campaignId: string;
  let results: Record<string, unknown>[];

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    embedded = await startEmbeddedService({}, { EVENT_STORE: 'postgres', READ_STORE: 'postgres', DATABASE_URL: database.url });
    campaignId = await createCampaign(embedded.maker);

    const csv = targetsCsv(ROWS);
    results = await Promise.all([importCsv(embedded.maker, campaignId, csv, 120_000), importCsv(embedded.maker, campaignId, csv, 120_000)]);
    await countsWhen(embedded.maker, campaignId, (counts) => counts.pending === ROWS, 60_000, `${ROWS} pending targets`);
  }, 240_000);

  afterAll(async () => {
    await embedded?.stop();
    await dropDatabase?.();
  });

  it('ends both imports DONE with every row processed', () => {
    for (const result of results) {
      expect(result).toMatchObject({ status: 'DONE', processed: ROWS, rejected: 0, errors: [] });
    }
  });

  it('imports each number once across both imports', () => {
    const imported = results.reduce((sum, result) => sum + Number(result.imported), 0);

    expect(imported).toBe(ROWS);
  });

  it('counts every other row as a duplicate', () => {
    for (const result of results) {
      expect(Number(result.imported) + Number(result.duplicates)).toBe(ROWS);
    }
  });

  it('stores one TargetAdded per number', async () => {
    const events = await embedded.service.infrastructure.eventStore.readAll({ filter: { eventTypes: ['TargetAdded'] } });
    const numbers = events.filter((event) => event.data.campaignId === campaignId).map((event) => String(event.data.phoneNumber));

    expect(numbers).toHaveLength(ROWS);
    expect(new Set(numbers).size).toBe(ROWS);
  });

  it('lists each number once in the read model', async () => {
    const page = await embedded.maker.get<{ total: number }>(`/campaigns/${campaignId}/targets?pageSize=1`);
    const counts = await embedded.maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);

    expect(page.body.total).toBe(ROWS);
    expect(counts.body.counts.pending).toBe(ROWS);
  });
});

/** Returns a CSV of `rows` distinct valid French mobile numbers, written `06…`, `+33 6 …` or `06.…`. */
function targetsCsv(rows: number): string {
  const lines = ['phoneNumber,priority'];
  for (let index = 0; index < rows; index += 1) {
    const digits = String(600_100_000 + index).padStart(9, '0');
    const phone =
      index % 3 === 0
        ? `0${digits}`
        : index % 3 === 1
          ? `+33 ${digits[0]} ${digits.slice(1, 3)} ${digits.slice(3, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}`
          : `0${digits[0]}.${digits.slice(1, 3)}.${digits.slice(3, 5)}.${digits.slice(5, 7)}.${digits.slice(7)}`;
    lines.push(`${phone},${(index % 10) + 1}`);
  }
  return `${lines.join('\n')}\n`;
}
