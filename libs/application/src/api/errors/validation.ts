import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldViolation } from '@sms/domain';
import { previewValue } from './value-preview';

/** A violation with the error code its constraint declares, if any. */
interface CodedViolation extends FieldViolation {
  readonly code?: string;
}

/**
 * DTO validation: unknown fields are rejected, and each violation names the field, the value and
 * the rule, so a Maker form can show it next to the input. The code is REQUEST.INVALID unless every
 * violation comes from constraints declaring the same code in their `context` (such as
 * `{ context: { code: 'TEMPLATE.INVALID_PLACEHOLDER' } }`).
 */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const violations = errors.flatMap((error) => collectViolations(error, ''));
      const details = violations.map(({ code: _, ...detail }) => detail);
      return new DomainError(sharedCode(violations) ?? 'REQUEST.INVALID', 'INVALID', describeViolations(details), details);
    },
  });
}

/**
 * The ValidationPipe, with each top-level field's value as the request gave it. Validation sees
 * values after their conversion, so `?limit=abc` would be reported as NaN, which JSON shows as null.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof DomainError) || error.details === undefined || typeof value !== 'object' || value === null) {
        throw error;
      }
      const received = value as Record<string, unknown>;
      const details = error.details.map((detail) =>
        Object.prototype.hasOwnProperty.call(received, detail.field) ? { ...detail, value: received[detail.field] } : detail,
      );
      throw new DomainError(error.code, error.kind, describeViolations(details), details);
    }
  }
}

function collectViolations(error: ValidationError, prefix: string): CodedViolation[] {
  // Array items are named as in the domain's errors: layouts[0].fields[1], not layouts.0.fields.1.
  const field =
    prefix === '' ? error.property : /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`;
  const own = Object.entries(error.constraints ?? {}).map(([constraint, rule]) => ({
    field,
    value: error.value,
    rule: rule.replace(new RegExp(`^${escapeRegExp(error.property)} `), ''),
    code: declaredCode(error, constraint),
  }));
  return [...whenMissing(own, error.value), ...(error.children ?? []).flatMap((child) => collectViolations(child, field))];
}

/**
 * Replaces the rules a missing field breaks (its type, its length, its format) with one saying
 * that it is required, since none of them can be met before it is given. A rule that itself states
 * when the field is required, such as "is required when enabled is true", is kept instead.
 */
function whenMissing(violations: readonly CodedViolation[], value: unknown): readonly CodedViolation[] {
  if (value !== undefined || violations.length === 0) {
    return violations;
  }
  const conditional = violations.filter((violation) => violation.rule.includes('required'));
  return conditional.length > 0 ? conditional : [{ field: violations[0].field, value: undefined, rule: 'is required' }];
}

function describeViolations(details: readonly FieldViolation[]): string {
  return details.map(describeViolation).join('; ');
}

function declaredCode(error: ValidationError, constraint: string): string | undefined {
  const context: unknown = error.contexts?.[constraint];
  if (typeof context !== 'object' || context === null || !('code' in context)) {
    return undefined;
  }
  return typeof context.code === 'string' ? context.code : undefined;
}

function sharedCode(violations: readonly CodedViolation[]): string | undefined {
  const codes = new Set(violations.map((violation) => violation.code));
  const [code] = codes;
  return codes.size === 1 ? code : undefined;
}

/** Quotes the value only when it is a scalar, because objects and arrays would bury the rule. */
function describeViolation(violation: FieldViolation): string {
  const value = violation.value;
  const isScalar = value === null || ['string', 'number', 'boolean'].includes(typeof value);
  return isScalar ? `${violation.field} ${previewValue(value)} ${violation.rule}` : `${violation.field} ${violation.rule}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
