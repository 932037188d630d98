import type { ImportSource } from '@sms/domain';

/**
 * Raised when a connector's source fails part-way: the database rejects the query, a CRM page
 * answers an error status, the NATS stream is missing. The message is meant for the Maker, since it
 * becomes the reason of the failed import, so it carries no password or token. Rows already
 * stored stay.
 */
export class ImportSourceError extends Error {
  constructor(
    readonly source: ImportSource,
    /** Code given by the remote side (an SQLSTATE, an HTTP status, a JetStream error code), if any. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ImportSourceError';
  }
}
