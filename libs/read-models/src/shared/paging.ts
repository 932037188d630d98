import { DomainError } from '@sms/domain';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface PageRequest {
  /** 1-based; 1 when absent. */
  readonly page?: number;
  /** 1 to 500; 50 when absent. */
  readonly pageSize?: number;
}

export interface Page<Item> {
  readonly items: Item[];
  /** Number of rows that match the filters, over all pages. */
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export interface PageBounds {
  readonly page: number;
  readonly pageSize: number;
  readonly offset: number;
}

/** Checks a page request and returns its bounds. Throws an INVALID DomainError naming the field. */
export function resolvePage(request: PageRequest = {}): PageBounds {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) {
    throw DomainError.invalid('QUERY.INVALID_PAGE', 'page', page, 'must be an integer of 1 or more');
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw DomainError.invalid('QUERY.INVALID_PAGE_SIZE', 'pageSize', pageSize, `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return { page, pageSize, offset: (page - 1) * pageSize };
}
