import { mapTargetRowBatches } from './map-target-rows';
import { SourceRecordBatch } from './source-record';
import { TargetRowResult } from './target-row';

async function mapValues(flags: readonly unknown[]): Promise<TargetRowResult[]> {
  const batch: SourceRecordBatch = {
    columns: ['phoneNumber', 'insertIfDuplicate'],
    records: flags.map((flag, index) => ({ kind: 'record', line: index + 1, values: [`06000003${String(index).padStart(2, '0')}`, flag] })),
  };
  async function* batches() {
    yield batch;
  }
  const rows: TargetRowResult[] = [];
  for await (const mapped of mapTargetRowBatches(batches(), { timeZone: 'Europe/Paris' }, 'the query result')) rows.push(...mapped);
  return rows;
}

describe('typed source rows', () => {
  it('reads a database boolean given as 1 or 0', async () => {
    const rows = await mapValues([1, 0, true, 'false']);

    expect(rows.map((row) => (row.kind === 'target' ? row.insertIfDuplicate : row.kind))).toEqual([true, false, true, false]);
  });

  it('rejects other numbers and spellings', async () => {
    const rows = await mapValues([2, 'yes']);

    expect(rows.map((row) => row.kind)).toEqual(['rejected', 'rejected']);
  });
});
