/**
 * Paging of a CRM list endpoint. `page` sets a page number parameter, from `firstPage` up, until a
 * page has no items. `cursor` sends back the cursor the previous page gave at `nextCursorPath`
 * until a page has no items or no cursor.
 */
export type CrmPaging =
  | { readonly type: 'page'; readonly pageParam: string; readonly firstPage: number; readonly sizeParam?: string; readonly size?: number }
  | { readonly type: 'cursor'; readonly cursorParam: string; readonly nextCursorPath: string };

/** One CRM list to read. */
export interface CrmRequest {
  /** http or https URL of the first page; paging parameters are set on its query string. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  /** Dot-separated path of the items array in each page's JSON body; empty when the body is the array. */
  readonly itemsPath: string;
  readonly paging: CrmPaging;
  /** Pages read before the import fails as unfinished. */
  readonly maxPages: number;
  /** Maximum time for one page, from the request to the last byte of the body, in milliseconds. */
  readonly pageTimeoutMs: number;
  /** Maximum size of one page's body, in bytes. */
  readonly maxPageBytes: number;
}
