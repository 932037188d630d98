import { encodings } from 'smpp';

/** data_coding values (SMPP 3.4, section 5.2.19). 0 is the SMSC default alphabet, which the smpp package encodes as GSM 03.38. */
export const DATA_CODING_SMSC_DEFAULT = 0;
export const DATA_CODING_UCS2 = 8;

/**
 * The concatenation header of a segment counts segments in one octet (3GPP TS 23.040, section
 * 9.2.3.24.1), so no message can span more than 255 segments.
 */
export const MAX_SEGMENTS = 255;

export interface TextEncoding {
  readonly dataCoding: typeof DATA_CODING_SMSC_DEFAULT | typeof DATA_CODING_UCS2;
  /**
   * Number of SMS segments for this text. Exact for one segment; for longer texts an estimate that
   * can be one short, because an SMSC never splits an escape pair across two segments.
   */
  readonly segments: number;
}

/** Characters of the GSM 03.38 extension table: each is sent as an escape plus one septet. */
const GSM_EXTENSION_CHARACTERS = new Set(['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€']);

/**
 * Chooses GSM-7 when every character exists in GSM 03.38, as the smpp package's encoder decides,
 * and UCS-2 otherwise. Segment sizes: 160 septets or 70 UCS-2 code units alone, 153 or 67 in a
 * concatenated message, because the user data header takes 6 octets of each segment.
 */
export function chooseTextEncoding(text: string): TextEncoding {
  if (encodings.ASCII.match(text)) {
    const septets = countGsmSeptets(text);
    return { dataCoding: DATA_CODING_SMSC_DEFAULT, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }

  const codeUnits = text.length;
  return { dataCoding: DATA_CODING_UCS2, segments: codeUnits <= 70 ? 1 : Math.ceil(codeUnits / 67) };
}

function countGsmSeptets(text: string): number {
  let septets = text.length;
  for (const character of text) {
    if (GSM_EXTENSION_CHARACTERS.has(character)) {
      septets += 1;
    }
  }
  return septets;
}
