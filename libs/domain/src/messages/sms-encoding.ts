/**
 * SMS encoding and segment count, as handsets and SMSCs count them (3GPP TS 23.038 for the
 * alphabet, TS 23.040 for concatenation):
 * - GSM 03.38 default alphabet: 160 septets in one segment, 153 per segment once concatenated
 *   (the user data header takes 7). Extension-table characters take two septets (escape + char),
 *   and an escape pair is never split across segments.
 * - Otherwise UCS-2: 70 UTF-16 code units in one segment, 67 per segment once concatenated,
 *   and a surrogate pair (an emoji, say) is never split.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2: the unit the 160 / 70 limits count in. */
  readonly characters: number;
  readonly segments: number;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

export function measureSms(text: string): SmsLength {
  return isGsm7(text) ? measureGsm7(text) : measureUcs2(text);
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!BASIC.has(char) && !EXTENSION.has(char)) {
      return false;
    }
  }
  return true;
}

function measureGsm7(text: string): SmsLength {
  const widths = Array.from(text, (char) => (EXTENSION.has(char) ? 2 : 1));
  const septets = widths.reduce((sum, width) => sum + width, 0);
  return { encoding: 'GSM-7', characters: septets, segments: countSegments(widths, septets, GSM_SINGLE, GSM_PART) };
}

function measureUcs2(text: string): SmsLength {
  const widths = Array.from(text, (char) => char.length);
  const units = text.length;
  return { encoding: 'UCS-2', characters: units, segments: countSegments(widths, units, UCS2_SINGLE, UCS2_PART) };
}

/** Fills segments greedily with indivisible units (an escape pair, a surrogate pair). */
function countSegments(widths: readonly number[], total: number, single: number, part: number): number {
  if (total <= single) {
    return total === 0 ? 0 : 1;
  }
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > part) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return segments;
}
