import * as smpp from 'smpp';

import { chooseTextEncoding } from './message-encoding';
import { submitOutcomeFromResponse } from './submit-outcome';

describe('chooseTextEncoding', () => {
  it.each([
    ['plain ASCII', 0, 1, 'Hello'],
    ['French accents outside GSM 03.38', 8, 1, 'Ça coûte 10 € à Noël? ñ ü ß Δ'],
    ['GSM 03.38 only', 0, 1, 'Prix: 10€ @ Zürich, Ñandu ¿ok?'],
    ['160 GSM-7 characters', 0, 1, 'x'.repeat(160)],
    ['161 GSM-7 characters', 0, 2, 'x'.repeat(161)],
    ['80 extension characters, 160 septets', 0, 1, '€'.repeat(80)],
    ['81 extension characters, 162 septets', 0, 2, '€'.repeat(81)],
    ['306 GSM-7 characters', 0, 2, 'x'.repeat(306)],
    ['307 GSM-7 characters', 0, 3, 'x'.repeat(307)],
    ['70 UCS-2 characters', 8, 1, 'ж'.repeat(70)],
    ['71 UCS-2 characters', 8, 2, 'ж'.repeat(71)],
    ['an emoji, two UTF-16 code units', 8, 1, '😀'.repeat(35)],
    ['an empty text', 0, 1, ''],
  ])('encodes %s as data_coding %i in %i segment(s)', (_case, dataCoding, segments, text) => {
    expect(chooseTextEncoding(text)).toEqual({ dataCoding, segments });
  });
});

describe('submitOutcomeFromResponse', () => {
  it('normalises the message id of an accepted submit', () => {
    expect(submitOutcomeFromResponse(smpp.ESME_ROK, '000A1B')).toEqual({ status: 'ACCEPTED', providerMessageId: 'a1b' });
  });

  // Without a message id no receipt could ever be matched to the submit.
  it('returns UNKNOWN for ESME_ROK without message id', () => {
    expect(submitOutcomeFromResponse(smpp.ESME_ROK, '')).toMatchObject({ status: 'UNKNOWN' });
    expect(submitOutcomeFromResponse(smpp.ESME_ROK, undefined)).toMatchObject({ status: 'UNKNOWN' });
  });

  it.each([
    ['ESME_RTHROTTLED', smpp.ESME_RTHROTTLED, true],
    ['ESME_RMSGQFUL', smpp.ESME_RMSGQFUL, true],
    ['ESME_RSYSERR', smpp.ESME_RSYSERR, true],
    ['ESME_RINVBNDSTS', smpp.ESME_RINVBNDSTS, true],
    ['ESME_RINVDSTADR', smpp.ESME_RINVDSTADR, false],
    ['ESME_RINVMSGLEN', smpp.ESME_RINVMSGLEN, false],
    ['ESME_RINVSRCADR', smpp.ESME_RINVSRCADR, false],
  ])('maps %s (%i) to a rejection with transient = %p', (errorCode, commandStatus, transient) => {
    expect(submitOutcomeFromResponse(commandStatus, undefined)).toEqual({
      status: 'REJECTED',
      transient,
      errorCode,
      reason: `SMSC rejected submit_sm with ${errorCode}`,
    });
  });
});
