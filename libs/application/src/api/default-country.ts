import { DomainError, isCountryCode } from '@sms/domain';
import { ValidationOptions, ValidatorConstraint, ValidatorConstraintInterface, Validate } from 'class-validator';

/** Country used to read national phone numbers when a request names none. */
export const DEFAULT_COUNTRY = 'FR';

const COUNTRY_CODE = 'REQUEST.INVALID_COUNTRY';
const COUNTRY_RULE = 'must be an ISO 3166-1 alpha-2 country code such as FR';

/**
 * Returns the `defaultCountry` query value in upper case, or FR when absent. Every route that reads
 * national numbers goes through this function or through `@IsDefaultCountry()`, which reject a bad
 * value with the same code and rule.
 */
export function readDefaultCountry(value: unknown): string {
  if (value === undefined) {
    return DEFAULT_COUNTRY;
  }
  if (!isDefaultCountry(value)) {
    throw DomainError.invalid(COUNTRY_CODE, 'defaultCountry', value, COUNTRY_RULE);
  }
  return value.toUpperCase();
}

/** Validates a query DTO's `defaultCountry` like `readDefaultCountry` does, with its code. */
export function IsDefaultCountry(options: ValidationOptions = {}): PropertyDecorator {
  return Validate(DefaultCountryConstraint, { ...options, context: { code: COUNTRY_CODE } });
}

@ValidatorConstraint({ name: 'defaultCountry' })
class DefaultCountryConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isDefaultCountry(value);
  }

  defaultMessage(): string {
    return COUNTRY_RULE;
  }
}

function isDefaultCountry(value: unknown): value is string {
  return typeof value === 'string' && isCountryCode(value.toUpperCase());
}
