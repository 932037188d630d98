export type Delimiter = ',' | ';' | '\t';

/** Candidates in tie-break order: on equal counts the earlier one wins. */
const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];

const QUOTE = 0x22;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM_LENGTH = 3;

/**
 * Finds the delimiter of a CSV file from its header line, fed chunk by chunk. Counts each
 * candidate outside double quotes up to the first line break (LF, or CR alone or before LF) that
 * ends a non-blank line, or up to
 * `byteLimit` bytes. Works on raw UTF-8 bytes: a multi-byte character never contains an ASCII
 * byte, so a chunk may end anywhere. A header without any candidate (a single column) reads as
 * comma-separated.
 */
export class DelimiterDetector {
  private readonly counts = new Map<number, number>(CANDIDATES.map((delimiter) => [delimiter.charCodeAt(0), 0]));
  private inQuotes = false;
  private lineHasText = false;
  private scannedBytes = 0;
  private finished = false;

  constructor(private readonly byteLimit: number) {}

  get done(): boolean {
    return this.finished;
  }

  scan(chunk: Buffer): void {
    for (let i = 0; i < chunk.length && !this.finished; i++) {
      this.scanByte(chunk[i]);
    }
  }

  delimiter(): Delimiter {
    let best: Delimiter = CANDIDATES[0];
    let bestCount = 0;
    for (const candidate of CANDIDATES) {
      const count = this.counts.get(candidate.charCodeAt(0)) ?? 0;
      if (count > bestCount) {
        best = candidate;
        bestCount = count;
      }
    }
    return best;
  }

  private scanByte(byte: number): void {
    this.scannedBytes++;
    if (this.scannedBytes >= this.byteLimit) {
      this.finished = true;
    }

    if (byte === QUOTE) {
      // An escaped quote ("") toggles twice, so it leaves the state unchanged.
      this.inQuotes = !this.inQuotes;
      this.lineHasText = true;
      return;
    }
    if (this.inQuotes) {
      return;
    }

    const count = this.counts.get(byte);
    if (count !== undefined) {
      this.counts.set(byte, count + 1);
      this.lineHasText = true;
    } else if (byte === LINE_FEED || byte === CARRIAGE_RETURN) {
      // Blank lines before the header are skipped, as the reader skips them.
      this.finished = this.finished || this.lineHasText;
    } else if (byte > 0x20 && byte !== 0x7f && !(byte >= 0x80 && this.scannedBytes <= BOM_LENGTH)) {
      // Bytes at the position of a byte order mark are not text, so that a BOM alone is not a header.
      this.lineHasText = true;
    }
  }
}
