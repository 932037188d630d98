import {
  deliveryStatusFromMessageState,
  deliveryStatusFromStat,
  normaliseMessageId,
  parseReceiptDate,
  parseReceiptText,
} from './delivery-receipt';

describe('parseReceiptText', () => {
  describe('with a receipt in the SMPP 3.4 Appendix B format', () => {
    const receipt = 'id:0A1B2C sub:001 dlvrd:001 submit date:2405061230 done date:2405061231 stat:DELIVRD err:000 text:Hello id:x stat:y';

    it('reads every field', () => {
      expect(parseReceiptText(receipt)).toEqual({
        id: '0A1B2C',
        sub: '001',
        dlvrd: '001',
        submitDate: '2405061230',
        doneDate: '2405061231',
        stat: 'DELIVRD',
        err: '000',
        text: 'Hello id:x stat:y',
      });
    });

    it('ignores id: and stat: inside the free text', () => {
      const parsed = parseReceiptText(receipt);

      expect(parsed?.id).toBe('0A1B2C');
      expect(parsed?.stat).toBe('DELIVRD');
    });
  });

  describe('with vendor variations', () => {
    it('matches keys without regard to case', () => {
      const parsed = parseReceiptText('ID:77 SUB:001 DLVRD:000 SUBMIT DATE:2405061230 DONE DATE:240506123059 STAT:UNDELIV ERR:034 Text:x');

      expect(parsed).toMatchObject({ id: '77', stat: 'UNDELIV', doneDate: '240506123059', err: '034', text: 'x' });
    });

    it('reads a receipt without text, err or dates', () => {
      expect(parseReceiptText('id:abc stat:EXPIRED')).toEqual({
        id: 'abc',
        stat: 'EXPIRED',
        sub: undefined,
        dlvrd: undefined,
        submitDate: undefined,
        doneDate: undefined,
        err: undefined,
        text: undefined,
      });
    });
  });

  describe('without an id or a stat', () => {
    it.each([
      ['no id', 'sub:001 stat:DELIVRD'],
      ['no stat', 'id:12 sub:001'],
      ['an empty id', 'id: stat:DELIVRD'],
      ['plain MO text', 'Hello, can you call me back?'],
      ['an empty string', ''],
    ])('returns undefined for %s', (_case, text) => {
      expect(parseReceiptText(text)).toBeUndefined();
    });
  });
});

describe('normaliseMessageId', () => {
  it.each([
    ['0A1b', 'a1b'],
    ['a1B', 'a1b'],
    ['00000000000000A1', 'a1'],
    ['  ABC ', 'abc'],
    ['12345', '12345'],
    ['000', '0'],
    ['0', '0'],
  ])('normalises %p to %p', (messageId, expected) => {
    expect(normaliseMessageId(messageId)).toBe(expected);
  });

  it('gives the submit and the receipt forms of one id the same value', () => {
    expect(normaliseMessageId('0A1b')).toBe(normaliseMessageId('a1B'));
  });

  it('keeps different ids different', () => {
    expect(normaliseMessageId('a10')).not.toBe(normaliseMessageId('a1'));
  });
});

describe('deliveryStatusFromStat', () => {
  it.each([
    ['DELIVRD', 'DELIVERED'],
    ['UNDELIV', 'UNDELIVERED'],
    ['EXPIRED', 'EXPIRED'],
    ['REJECTD', 'REJECTED'],
    ['ACCEPTD', 'ACCEPTED'],
    ['ENROUTE', 'ENROUTE'],
    ['delivrd', 'DELIVERED'],
    ['DELETED', 'UNKNOWN'],
    ['UNKNOWN', 'UNKNOWN'],
    ['FAILED', 'UNKNOWN'],
  ])('maps %s to %s', (stat, expected) => {
    expect(deliveryStatusFromStat(stat)).toBe(expected);
  });
});

describe('deliveryStatusFromMessageState', () => {
  it.each([
    [1, 'ENROUTE'],
    [2, 'DELIVERED'],
    [3, 'EXPIRED'],
    [4, 'UNKNOWN'],
    [5, 'UNDELIVERED'],
    [6, 'ACCEPTED'],
    [7, 'UNKNOWN'],
    [8, 'REJECTED'],
    [9, 'UNKNOWN'],
    [0, 'UNKNOWN'],
  ])('maps message_state %i to %s', (messageState, expected) => {
    expect(deliveryStatusFromMessageState(messageState)).toBe(expected);
  });
});

describe('parseReceiptDate', () => {
  it('reads YYMMDDhhmm as UTC', () => {
    expect(parseReceiptDate('2405061231')?.toISOString()).toBe('2024-05-06T12:31:00.000Z');
  });

  it('reads YYMMDDhhmmss with seconds', () => {
    expect(parseReceiptDate('240506123159')?.toISOString()).toBe('2024-05-06T12:31:59.000Z');
  });

  it.each(['2413061231', '2402301231', '2405062560', '24050612', 'soon', ''])('rejects %p', (value) => {
    expect(parseReceiptDate(value)).toBeUndefined();
  });
});
