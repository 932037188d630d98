import { DomainError } from '@sms/domain';

export function notFound(code: string, what: string, id: string): never {
  throw DomainError.notFound(code, what, id);
}
