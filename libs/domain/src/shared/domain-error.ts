/**
 * The one error family of the domain. `code` is stable across releases and processes, because
 * `instanceof` does not survive a process boundary and a code does. The HTTP layer maps each kind
 * to a status once.
 */
export type DomainErrorKind = 'INVALID' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'PRECONDITION_FAILED' | 'TOO_LARGE';

export interface FieldViolation {
  readonly field: string;
  readonly value?: unknown;
  readonly rule: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: readonly FieldViolation[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalid(code: string, field: string, value: unknown, rule: string): DomainError {
    return new DomainError(code, 'INVALID', `${field} ${formatValue(value)} ${rule}`, [{ field, value, rule }]);
  }

  static notFound(code: string, what: string, id: string): DomainError {
    return new DomainError(code, 'NOT_FOUND', `${what} '${id}' was not found`);
  }

  static conflict(code: string, message: string): DomainError {
    return new DomainError(code, 'CONFLICT', message);
  }
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
