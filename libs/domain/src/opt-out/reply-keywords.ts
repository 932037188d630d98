/** The request that a keyword reply makes: leave the recipients of our campaigns, or come back. */
export type ReplyKeyword = {
  readonly action: 'OPT_OUT' | 'OPT_IN';
  /** The keyword in upper case without accents, such as STOP or ARRET. */
  readonly keyword: string;
};

const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'ARRET', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START']);

/** White space, punctuation, symbols (emoji among them), format characters (zero-width joiners) and marks (variation selectors). */
const EDGE_CHARACTERS = /^[\p{White_Space}\p{P}\p{S}\p{Cf}\p{M}]+|[\p{White_Space}\p{P}\p{S}\p{Cf}\p{M}]+$/gu;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * A keyword alone, or followed by the short code that the message gave for replies, as
 * people copy the French mention "STOP au 36180": `STOP 36180`, `STOP au 36180`, `STOP to 36180`.
 */
const KEYWORD_REPLY = /^([A-Z]+)(?: (?:AU |TO )?\d{3,8})?$/;

/**
 * Reads a reply as an opt-out or opt-in keyword, or returns null when it is anything else.
 *
 * The keyword must be the whole reply: letter case, accents (ARRÊT), full-width letters, and
 * white space, punctuation and emoji around it do not matter, and a short code may follow it.
 * A sentence that merely contains a keyword ("please don't stop", "Je veux arrêter") is not one,
 * because recipients write such sentences to the advisor and mean something else.
 */
export function parseReplyKeyword(text: string): ReplyKeyword | null {
  const folded = text.normalize('NFKD').replace(COMBINING_MARKS, '').replace(EDGE_CHARACTERS, '').toUpperCase();
  const match = KEYWORD_REPLY.exec(folded.replace(/\s+/gu, ' '));
  if (match === null) {
    return null;
  }
  const keyword = match[1];
  if (OPT_OUT_KEYWORDS.has(keyword)) {
    return { action: 'OPT_OUT', keyword };
  }
  if (OPT_IN_KEYWORDS.has(keyword)) {
    return { action: 'OPT_IN', keyword };
  }
  return null;
}
