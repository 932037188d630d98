/** type_of_number and numbering_plan_indicator values (SMPP 3.4, sections 5.2.5 and 5.2.6). */
const TON_UNKNOWN = 0;
const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const NPI_UNKNOWN = 0;
const NPI_ISDN = 1;

export interface SmppAddress {
  readonly ton: number;
  readonly npi: number;
  readonly address: string;
}

const DIGITS = /^\d+$/;

/**
 * Converts an originator or destination to SMPP form. `+33612345678` is sent as international
 * E.164 without the plus sign, digits alone (short codes) with an unknown type of number, and
 * anything else as an alphanumeric sender id.
 */
export function toSmppAddress(value: string): SmppAddress {
  if (value.startsWith('+')) {
    return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, address: value.slice(1) };
  }
  if (DIGITS.test(value)) {
    return { ton: TON_UNKNOWN, npi: NPI_ISDN, address: value };
  }
  return { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, address: value };
}

/** Converts an SMPP address back to the port's form: international numbers get their plus sign. */
export function fromSmppAddress(ton: number, address: string): string {
  return ton === TON_INTERNATIONAL && !address.startsWith('+') ? `+${address}` : address;
}
