import { DelimiterDetector } from './delimiter';

function detect(...chunks: string[]): { delimiter: string; done: boolean } {
  const detector = new DelimiterDetector(64 * 1024);
  for (const chunk of chunks) {
    detector.scan(Buffer.from(chunk, 'utf8'));
  }
  return { delimiter: detector.delimiter(), done: detector.done };
}

describe('DelimiterDetector', () => {
  it.each([
    ['phoneNumber,startDate,priority\n', ','],
    ['telephone;date_debut;priorite\r\n', ';'],
    ['phoneNumber\tstartDate\n', '\t'],
    ['phoneNumber\n', ','],
    ['a;b;c,d\n', ';'],
    ['a,b;c\n', ','],
  ])('finds the delimiter of %p', (header, expected) => {
    expect(detect(header).delimiter).toBe(expected);
  });

  it('ignores delimiters inside quotes', () => {
    expect(detect('"a,b,c";"d,e"\n').delimiter).toBe(';');
  });

  it('reads only the header line', () => {
    expect(detect('a;b\n1,2,3,4,5\n').delimiter).toBe(';');
  });

  it('reads a quoted line break as part of the header', () => {
    expect(detect('"phone\nnumber";b;c\n1,2,3,4,5\n').delimiter).toBe(';');
  });

  it('skips blank lines and a byte order mark before the header', () => {
    expect(detect('\uFEFF\r\n\n  \na;b\n1,2,3\n').delimiter).toBe(';');
  });

  it('finishes at the end of the header line across chunks', () => {
    const detector = new DelimiterDetector(64 * 1024);

    detector.scan(Buffer.from('a;b'));
    expect(detector.done).toBe(false);
    detector.scan(Buffer.from(';c\nmore'));
    expect(detector.done).toBe(true);
    expect(detector.delimiter()).toBe(';');
  });

  it('finishes at the byte limit without a line break', () => {
    const detector = new DelimiterDetector(8);

    detector.scan(Buffer.from('a\tb\tc\td\te\tf'));

    expect(detector.done).toBe(true);
    expect(detector.delimiter()).toBe('\t');
  });
});
