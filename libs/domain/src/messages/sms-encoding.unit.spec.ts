import { measureSms } from './sms-encoding';

describe('measureSms', () => {
  it.each([
    ['empty text', '', 'GSM-7', 0, 0],
    ['plain ASCII', 'Hello', 'GSM-7', 5, 1],
    ['160 GSM characters', 'a'.repeat(160), 'GSM-7', 160, 1],
    ['161 GSM characters', 'a'.repeat(161), 'GSM-7', 161, 2],
    ['306 GSM characters', 'a'.repeat(306), 'GSM-7', 306, 2],
    ['307 GSM characters', 'a'.repeat(307), 'GSM-7', 307, 3],
    ['80 closing brackets', ']'.repeat(80), 'GSM-7', 160, 1],
    ['81 closing brackets', ']'.repeat(81), 'GSM-7', 162, 2],
    ['euro signs', '€€€', 'GSM-7', 6, 1],
    ['French accents of the GSM alphabet', 'é è à ù ì ò Ç É', 'GSM-7', 15, 1],
    ['French accents outside the GSM alphabet', 'ê', 'UCS-2', 1, 1],
    ['a cedilla in lower case', 'ç', 'UCS-2', 1, 1],
    ['70 UCS-2 characters', 'ê'.repeat(70), 'UCS-2', 70, 1],
    ['71 UCS-2 characters', 'ê'.repeat(71), 'UCS-2', 71, 2],
    ['134 UCS-2 characters', 'ê'.repeat(134), 'UCS-2', 134, 2],
    ['135 UCS-2 characters', 'ê'.repeat(135), 'UCS-2', 135, 3],
    ['one emoji', '😀', 'UCS-2', 2, 1],
    ['35 emoji', '😀'.repeat(35), 'UCS-2', 70, 1],
    ['Greek capitals of the GSM alphabet', 'ΔΦΓΛΩΠΨΣΘΞ', 'GSM-7', 10, 1],
    ['Greek lower case', 'α', 'UCS-2', 1, 1],
    ['newline and carriage return', 'a\r\nb', 'GSM-7', 4, 1],
    ['form feed from the extension table', '\f', 'GSM-7', 2, 1],
    ['curly quotes', '“hi”', 'UCS-2', 4, 1],
    ['French sentence with GSM accents', 'Votre rendez-vous est confirmé à 14h, à bientôt !', 'UCS-2', 49, 1],
    ['French sentence without circumflex', 'Votre rendez-vous est confirmé à 14h. Merci !', 'GSM-7', 45, 1],
    ['every extension character once', '^{}\\[~]|€', 'GSM-7', 18, 1],
    ['159 GSM characters then a euro sign', 'a'.repeat(159) + '€', 'GSM-7', 161, 2],
    ['emoji after 69 UCS-2 units', 'ê'.repeat(69) + '😀', 'UCS-2', 71, 2],
    ['flag emoji made of two surrogate pairs', '🇫🇷', 'UCS-2', 4, 1],
    ['Arabic text', 'مرحبا', 'UCS-2', 5, 1],
    ['a single space', ' ', 'GSM-7', 1, 1],
    ['underscore and at sign', '_@', 'GSM-7', 2, 1],
    ['459 GSM characters in three parts', 'a'.repeat(459), 'GSM-7', 459, 3],
    ['460 GSM characters in four parts', 'a'.repeat(460), 'GSM-7', 460, 4],
    ['euro sign then emoji', '€😀', 'UCS-2', 3, 1],
    ['French sentence with GSM accents and an emoji', 'Rendez-vous confirmé à 14h 👍', 'UCS-2', 29, 1],
    ['extension character in UCS-2 text', 'ê€', 'UCS-2', 2, 1],
    ['69 UCS-2 characters then a euro sign', 'ê'.repeat(69) + '€', 'UCS-2', 70, 1],
  ])('%s', (_, text, encoding, characters, segments) => {
    expect(measureSms(text)).toEqual({ encoding, characters, segments });
  });

  it('never splits an escape pair across segments', () => {
    // 152 septets then an escape pair: the pair does not fit in the first 153-septet part.
    const text = 'a'.repeat(152) + '€' + 'a'.repeat(10);
    expect(measureSms(text)).toEqual({ encoding: 'GSM-7', characters: 164, segments: 2 });
    // 306 septets would fit two 153-septet parts, but no pair may straddle them.
    const pairs = 'a'.repeat(152) + '€'.repeat(77);
    expect(measureSms(pairs)).toEqual({ encoding: 'GSM-7', characters: 306, segments: 3 });
  });

  it('never splits a surrogate pair across segments', () => {
    // 66 units then an emoji: the emoji moves to the second 67-unit part.
    const text = 'ê'.repeat(66) + '😀' + 'ê'.repeat(66);
    expect(measureSms(text)).toEqual({ encoding: 'UCS-2', characters: 134, segments: 3 });
  });
});
