import { ImportEvent, streams } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { importCounts, rowErrors } from '../testing/domain-events';
import { EventLog, newId, projectBatch, setUpProjections } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { ImportsProjection, MAX_IMPORT_ERRORS } from './imports.projection';
import { ImportQueries } from './imports.queries';

describe.each(TEST_DATABASES)('imports view on $name', (database) => {
  const test = useTestSchema(database);
  let projection: ImportsProjection;
  let queries: ImportQueries;
  let log: EventLog;
  let importId: string;
  let campaignId: string;

  beforeEach(async () => {
    projection = new ImportsProjection({ schema: test.schema });
    queries = new ImportQueries(test.db, { schema: test.schema });
    log = new EventLog();
    importId = newId('i');
    campaignId = newId('c');
    await setUpProjections(test.db, [projection]);
  });

  function on(event: ImportEvent): RecordedEvent {
    return log.record(streams.import(importId), event);
  }

  function started(): RecordedEvent {
    return on({ type: 'ImportStarted', data: { importId, campaignId, source: 'csv', startedAt: '2026-12-07T08:00:00.000Z' } });
  }

  async function project(...events: RecordedEvent[]): Promise<void> {
    await projectBatch(test.db, [projection], events);
  }

  describe('a running import', () => {
    it('replaces its counts and appends the errors of each progress event', async () => {
      await project(started(), on({ type: 'ImportProgressed', data: { ...importCounts(100, 97, 1, 2), errors: rowErrors(2, 2) } }));
      await project(on({ type: 'ImportProgressed', data: { ...importCounts(200, 195, 2, 3), errors: rowErrors(150, 1) } }));

      const view = await queries.getImport(importId);

      expect(view).toMatchObject({
        id: importId,
        campaignId,
        source: 'csv',
        status: 'RUNNING',
        processed: 200,
        imported: 195,
        duplicates: 2,
        rejected: 3,
        errorsTruncated: false,
        reason: null,
        startedAt: '2026-12-07T08:00:00.000Z',
        endedAt: null,
        revision: 2,
      });
      expect(view?.errors).toEqual([...rowErrors(2, 2), ...rowErrors(150, 1)]);
    });

    it('returns null for an unknown id', async () => {
      expect(await queries.getImport(newId('i'))).toBeNull();
    });
  });

  describe('a finished import', () => {
    it('is DONE with the final counts when completed', async () => {
      await project(
        started(),
        on({ type: 'ImportProgressed', data: { ...importCounts(10, 9, 0, 1), errors: rowErrors(4, 1) } }),
        on({ type: 'ImportCompleted', data: { ...importCounts(12, 11, 0, 1), completedAt: '2026-12-07T08:01:00.000Z' } }),
      );

      const view = await queries.getImport(importId);

      expect(view).toMatchObject({ status: 'DONE', processed: 12, imported: 11, endedAt: '2026-12-07T08:01:00.000Z' });
      expect(view?.errors).toHaveLength(1);
    });

    it('is FAILED with its reason when it failed', async () => {
      const reason = 'the CRM connector timed out after 30 s';
      await project(
        started(),
        on({ type: 'ImportFailed', data: { ...importCounts(5, 5, 0, 0), reason, failedAt: '2026-12-07T08:02:00.000Z' } }),
      );

      expect(await queries.getImport(importId)).toMatchObject({ status: 'FAILED', reason, processed: 5 });
    });
  });

  describe('more rejected rows than the view keeps', () => {
    it('keeps the first ones in file order and flags the cut', async () => {
      const firstBatch = rowErrors(1, MAX_IMPORT_ERRORS - 10);
      const secondBatch = rowErrors(MAX_IMPORT_ERRORS, 25);
      await project(
        started(),
        on({ type: 'ImportProgressed', data: { ...importCounts(20_000, 0, 0, firstBatch.length), errors: firstBatch } }),
      );
      const beforeCut = await queries.getImport(importId);
      await project(
        on({ type: 'ImportProgressed', data: { ...importCounts(30_000, 0, 0, 10_015), errors: secondBatch } }),
        on({ type: 'ImportProgressed', data: { ...importCounts(40_000, 0, 0, 10_016), errors: rowErrors(50_000, 1) } }),
      );

      const view = await queries.getImport(importId);

      expect(beforeCut?.errorsTruncated).toBe(false);
      expect(view?.errors).toHaveLength(MAX_IMPORT_ERRORS);
      expect(view?.errors.at(-1)).toEqual(secondBatch[9]);
      expect(view?.errorsTruncated).toBe(true);
      expect(view?.rejected).toBe(10_016);
    });
  });

  describe('a batch projected twice', () => {
    it('appends its errors once', async () => {
      const batch = [started(), on({ type: 'ImportProgressed', data: { ...importCounts(10, 8, 0, 2), errors: rowErrors(3, 2) } })];
      await project(...batch);

      await project(...batch);

      expect((await queries.getImport(importId))?.errors).toEqual(rowErrors(3, 2));
    });
  });
});
