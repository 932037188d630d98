/**
 * Folds text for case- and accent-insensitive matching. NFKD splits `é` into `e` and a combining
 * accent and turns ligatures such as `ﬁ` into `fi`. The combining marks are then removed and the
 * text is lower-cased. Unicode gives `œ`, `æ` and `ß` no decomposition, so they are spelled out
 * after lower-casing, which has already turned `Œ`, `Æ` and `ẞ` into them. Stored search columns
 * and search terms go through this same function, so matching needs no `unaccent` extension on
 * PostgreSQL or PGlite.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[œæß]/gu, (letter) => SPELLED_OUT[letter]);
}

const SPELLED_OUT: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss' };
