/**
 * Returns the offset of the first byte of `bytes` that is not part of a well-formed UTF-8
 * sequence, or the length when a sequence is only cut off at the end. With
 * `continuesPreviousChunk`, leading continuation bytes are skipped, because they may finish a
 * character that the previous chunk began. The ranges of the second byte follow RFC 3629,
 * section 4, so that an encoded surrogate (ED A0 80) or an overlong form (E0 80 80) is found at
 * its first byte.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array, continuesPreviousChunk = false): number {
  let index = 0;
  if (continuesPreviousChunk) {
    while (index < bytes.length && (bytes[index] & 0xc0) === 0x80) index += 1;
  }
  while (index < bytes.length) {
    const lead = bytes[index];
    const length = utf8SequenceLength(lead);
    if (length === 0) return index;
    for (let next = index + 1; next < index + length; next += 1) {
      if (next >= bytes.length) return bytes.length;
      const [min, max] = next === index + 1 ? secondByteRange(lead) : [0x80, 0xbf];
      if (bytes[next] < min || bytes[next] > max) return index;
    }
    index += length;
  }
  return bytes.length;
}

/** Returns the length of the UTF-8 sequence that `lead` starts, or 0 when no sequence starts with it. */
function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Returns the range of the byte after `lead` in a well-formed sequence (RFC 3629, section 4). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}
