import { deciderSpec } from '../shared/decider-spec';
import { ImportCounts, importDecider, ImportStarted } from './import';

const spec = deciderSpec(importDecider);
const started: ImportStarted = {
  type: 'ImportStarted',
  data: { importId: 'i1', campaignId: 'c1', source: 'csv', startedAt: '2026-12-07T08:00:00.000Z' },
};
const counts: ImportCounts = { processed: 3, imported: 2, duplicates: 0, rejected: 1 };

describe('import decider', () => {
  it('starts an import once', () => {
    spec
      .given([])
      .when({ type: 'StartImport', importId: 'i1', campaignId: 'c1', source: 'csv', now: '2026-12-07T08:00:00.000Z' })
      .then([started]);
    spec
      .given([started])
      .when({ type: 'StartImport', importId: 'i1', campaignId: 'c1', source: 'csv', now: '2026-12-07T08:00:00.000Z' })
      .thenThrows('IMPORT.ALREADY_EXISTS');
  });

  it('records progress with the rows rejected since the last progress', () => {
    const errors = [{ line: 3, value: '0612', reason: 'not a valid number for FR' }];

    spec
      .given([started])
      .when({ type: 'RecordImportProgress', counts, errors })
      .then([{ type: 'ImportProgressed', data: { ...counts, errors } }]);
  });

  it('completes or fails a running import, and nothing after that', () => {
    const now = '2026-12-07T08:01:00.000Z';
    const completed = { type: 'ImportCompleted' as const, data: { ...counts, completedAt: now } };

    spec.given([started]).when({ type: 'CompleteImport', counts, now }).then([completed]);
    spec
      .given([started])
      .when({ type: 'FailImport', counts, reason: 'the CRM answered 401', now })
      .then([{ type: 'ImportFailed', data: { ...counts, reason: 'the CRM answered 401', failedAt: now } }]);
    spec.given([started, completed]).when({ type: 'RecordImportProgress', counts, errors: [] }).thenThrows('IMPORT.NOT_RUNNING');
    spec.given([]).when({ type: 'CompleteImport', counts, now }).thenThrows('IMPORT.NOT_RUNNING');
  });
});
