import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldViolation } from '@sms/domain';

/**
 * DTO validation: unknown fields are rejected, and each violation names the field, the value and
 * the rule, so a Maker form can show it next to the input.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const details = errors.flatMap((error) => violations(error, ''));
      const message = details.map((detail) => `${detail.field} ${detail.rule}`).join('; ');
      return new DomainError('REQUEST.INVALID', 'INVALID', message, details);
    },
  });
}

function violations(error: ValidationError, prefix: string): FieldViolation[] {
  const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((rule) => ({
    field,
    value: error.value,
    rule: rule.replace(new RegExp(`^${escapeRegExp(error.property)} `), ''),
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => violations(child, field))];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
