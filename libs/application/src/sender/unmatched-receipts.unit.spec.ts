import { UnmatchedReceipts } from './unmatched-receipts';

describe('unmatched receipts', () => {
  it('refuses a receipt until its grace period is over', () => {
    let now = 1_000;
    const receipts = new UnmatchedReceipts(600_000, () => now);

    expect(receipts.graceOver('m1')).toBe(false);
    now += 599_999;
    expect(receipts.graceOver('m1')).toBe(false);
    now += 1;
    expect(receipts.graceOver('m1')).toBe(true);
    expect(receipts.size).toBe(0);
  });

  it('counts the grace period of each id apart', () => {
    let now = 0;
    const receipts = new UnmatchedReceipts(10, () => now);

    receipts.graceOver('m1');
    now = 5;
    receipts.graceOver('m2');
    now = 10;

    expect(receipts.graceOver('m1')).toBe(true);
    expect(receipts.graceOver('m2')).toBe(false);
  });

  it('starts afresh after a match', () => {
    let now = 0;
    const receipts = new UnmatchedReceipts(10, () => now);

    receipts.graceOver('m1');
    receipts.matched('m1');
    now = 20;

    expect(receipts.graceOver('m1')).toBe(false);
  });

  it('drops a receipt at once with no grace period', () => {
    expect(new UnmatchedReceipts(0).graceOver('m1')).toBe(true);
  });

  it('keeps at most 100,000 ids', () => {
    const receipts = new UnmatchedReceipts(60_000);
    for (let index = 0; index <= 100_000; index += 1) receipts.graceOver(`m${index}`);

    expect(receipts.size).toBe(50_001);
  });
});
