import { parseReplyKeyword, ReplyKeyword } from './reply-keywords';

const optOut = (keyword: string): ReplyKeyword => ({ action: 'OPT_OUT', keyword });
const optIn = (keyword: string): ReplyKeyword => ({ action: 'OPT_IN', keyword });

describe('parseReplyKeyword', () => {
  it.each<[string, ReplyKeyword | null]>([
    // Each opt-out keyword, in any letter case.
    ['STOP', optOut('STOP')],
    ['stop', optOut('STOP')],
    ['Stop', optOut('STOP')],
    ['sToP', optOut('STOP')],
    ['STOPALL', optOut('STOPALL')],
    ['StopAll', optOut('STOPALL')],
    ['ARRET', optOut('ARRET')],
    ['arret', optOut('ARRET')],
    ['UNSUBSCRIBE', optOut('UNSUBSCRIBE')],
    ['cancel', optOut('CANCEL')],
    ['End', optOut('END')],
    ['quit', optOut('QUIT')],
    // Accents, whether precomposed or decomposed, and full-width letters.
    ['ARRÊT', optOut('ARRET')],
    ['arrêt', optOut('ARRET')],
    ['Arre\u0302t', optOut('ARRET')],
    ['ＳＴＯＰ', optOut('STOP')],
    // White space, punctuation and emoji around the keyword.
    ['  STOP  ', optOut('STOP')],
    ['\nstop\r\n', optOut('STOP')],
    ['\u00a0Stop\u00a0', optOut('STOP')],
    ['Stop!', optOut('STOP')],
    ['STOP!!!', optOut('STOP')],
    [' arret. ', optOut('ARRET')],
    ['stop ?', optOut('STOP')],
    ['"STOP"', optOut('STOP')],
    ['«\u00a0Stop\u00a0»', optOut('STOP')],
    ['(stop)', optOut('STOP')],
    ['STOP 🛑', optOut('STOP')],
    ['🛑stop🛑', optOut('STOP')],
    ['Stop 👍🏽', optOut('STOP')],
    ['stop ❤️', optOut('STOP')],
    ['STOP 👨‍👩‍👧', optOut('STOP')],
    // A short code after the keyword, as in the French mention "STOP au 36180".
    ['STOP 36180', optOut('STOP')],
    ['Stop au 36180', optOut('STOP')],
    ['stop to 36180', optOut('STOP')],
    ['ARRÊT 36180.', optOut('ARRET')],
    // START, in the same forms.
    ['START', optIn('START')],
    ['start', optIn('START')],
    [' Start! ', optIn('START')],
    ['start 🙂', optIn('START')],
    // Sentences that contain a keyword, other words, and other numbers.
    ["please don't stop", null],
    ['Je veux arrêter', null],
    ['stop please', null],
    ['STOP STOP', null],
    ['stop all', null],
    ['STOPP', null],
    ['S T O P', null],
    ['S.T.O.P', null],
    ['restart', null],
    ['the end', null],
    ['STOP 12', null],
    ['STOP 0612345678', null],
    ['STOP au', null],
    ['Merci', null],
    ['OK', null],
    ['', null],
    ['   ', null],
    ['🛑', null],
    ['!!!', null],
  ])('reads %j', (text, expected) => {
    expect(parseReplyKeyword(text)).toEqual(expected);
  });
});
