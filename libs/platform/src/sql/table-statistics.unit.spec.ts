import { TableStatistics } from './table-statistics';

describe('table statistics', () => {
  it('is due after the first 50,000 rows', () => {
    const statistics = new TableStatistics(['"s".events']);

    expect(statistics.noteWrites(49_999)).toBe(false);
    expect(statistics.noteWrites(1)).toBe(true);
    expect(statistics.noteWrites(1)).toBe(false);
  });

  it('waits for a fifth more rows once the tables are large', () => {
    const statistics = new TableStatistics(['"s".events'], { minRows: 10 });
    statistics.noteWrites(1_000);

    expect(statistics.noteWrites(199)).toBe(false);
    expect(statistics.noteWrites(1)).toBe(true);
    // 1,200 rows seen: the next ANALYZE waits for 240 more.
    expect(statistics.noteWrites(239)).toBe(false);
    expect(statistics.noteWrites(1)).toBe(true);
  });

  it('analyzes every table in one statement', async () => {
    const statements: string[] = [];
    const statistics = new TableStatistics(['"s".events', '"s".streams']);

    await statistics.analyze({ query: async (sql: string) => (statements.push(sql), { rows: [], rowCount: 0 }) } as never);

    expect(statements).toEqual(['ANALYZE "s".events, "s".streams']);
  });
});
