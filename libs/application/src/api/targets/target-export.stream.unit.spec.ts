import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ScannedTarget, targetCsvChunks, targetCsvStream, TargetPageReader } from './target-export.stream';

const HEADER = '\uFEFFphoneNumber,startDate,priority,insertIfDuplicate,note\r\n';

/** Builds a reader over `count` targets with ids t0001, t0002 and so on, or over endless targets when `count` is null. */
function fakeReader(count: number | null, note = 'x') {
  const requests: Array<{ afterId?: string; limit: number }> = [];
  const read: TargetPageReader = async (request) => {
    requests.push(request);
    const start = request.afterId === undefined ? 0 : Number(request.afterId.slice(1));
    const end = count === null ? start + request.limit : Math.min(count, start + request.limit);
    const page: ScannedTarget[] = [];
    for (let index = start + 1; index <= end; index++) {
      page.push({
        id: `t${String(index).padStart(4, '0')}`,
        phoneNumber: `+336${String(index).padStart(8, '0')}`,
        startDate: null,
        priority: 5,
        layout: { name: 'n', values: { note } },
      });
    }
    return page;
  };
  return { read, requests };
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const collected: string[] = [];
  for await (const chunk of chunks) {
    collected.push(chunk);
  }
  return collected;
}

async function settle(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const noteColumn = [{ key: 'note', label: 'Note', type: 'string' as const }];

describe('targetCsvChunks', () => {
  it('yields the header, then one chunk per page, keyed by the last id', async () => {
    const reader = fakeReader(5);

    const chunks = await collect(targetCsvChunks(reader.read, noteColumn, 2));

    expect(chunks[0]).toBe(HEADER);
    expect(chunks.slice(1)).toEqual([
      "'+33600000001,,5,false,x\r\n'+33600000002,,5,false,x\r\n",
      "'+33600000003,,5,false,x\r\n'+33600000004,,5,false,x\r\n",
      "'+33600000005,,5,false,x\r\n",
    ]);
    expect(reader.requests).toEqual([
      { afterId: undefined, limit: 2 },
      { afterId: 't0002', limit: 2 },
      { afterId: 't0004', limit: 2 },
    ]);
  });

  it('reads one more page when the last one is full', async () => {
    const reader = fakeReader(4);

    const chunks = await collect(targetCsvChunks(reader.read, noteColumn, 2));

    expect(chunks).toHaveLength(3);
    expect(reader.requests.map((request) => request.afterId)).toEqual([undefined, 't0002', 't0004']);
  });

  it('yields only the header for a campaign without targets', async () => {
    const chunks = await collect(targetCsvChunks(fakeReader(0).read, [], 2));

    expect(chunks).toEqual(['\uFEFFphoneNumber,startDate,priority,insertIfDuplicate\r\n']);
  });

  it('leaves out deleted targets and keeps paging after them', async () => {
    const pages: ScannedTarget[][] = [
      [
        { id: 'a', phoneNumber: null, startDate: null, priority: 5, layout: null },
        { id: 'b', phoneNumber: null, startDate: null, priority: 5, layout: null },
      ],
      [{ id: 'c', phoneNumber: '+33600000003', startDate: null, priority: 5, layout: null }],
    ];
    const read: TargetPageReader = async () => pages.shift() ?? [];

    const chunks = await collect(targetCsvChunks(read, noteColumn, 2));

    expect(chunks).toEqual([HEADER, "'+33600000003,,5,false,\r\n"]);
  });
});

describe('targetCsvStream', () => {
  it('stops reading pages when the consumer is destroyed', async () => {
    const reader = fakeReader(null);
    const stream = targetCsvStream(reader.read, noteColumn, 2);

    for await (const chunk of stream) {
      if (String(chunk).includes('+33600000004')) break;
    }
    const readsAtBreak = reader.requests.length;
    await settle(20);

    expect(stream.destroyed).toBe(true);
    expect(reader.requests.length).toBe(readsAtBreak);
  });

  it('reads no further while the destination does not drain', async () => {
    // Pages of about 120 KB, above the stream's high-water mark.
    const reader = fakeReader(null, 'n'.repeat(100));
    const stalled = new Writable({ highWaterMark: 1024, write: () => undefined });

    const piping = pipeline(targetCsvStream(reader.read, noteColumn, 1_000), stalled).catch(() => undefined);
    await settle(50);

    expect(reader.requests.length).toBeGreaterThanOrEqual(1);
    expect(reader.requests.length).toBeLessThanOrEqual(3);
    stalled.destroy();
    await piping;
  });
});
