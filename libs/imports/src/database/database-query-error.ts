import { ImportSourceError } from '../mapping/import-source-error';
import { hidePassword } from './database-url';

/**
 * Raised when the database rejects the connection or the query, including a write rejected by the
 * read-only transaction. The message is the server's, prefixed with the connection name, with the
 * password of the connection URL hidden. `code` is the server's error code (SQLSTATE for
 * PostgreSQL, such as 25006; the error name for MariaDB, such as
 * ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION) when it gives one.
 */
export class DatabaseQueryError extends ImportSourceError {
  constructor(
    readonly connection: string,
    code: string | undefined,
    message: string,
  ) {
    super('database', code, message);
    this.name = 'DatabaseQueryError';
  }

  /** Wraps a driver error. The driver error is not kept as `cause`, because its fields may carry the URL. */
  static from(error: unknown, connection: string, url: string): DatabaseQueryError {
    if (error instanceof DatabaseQueryError) {
      return error;
    }
    const driverMessage = error instanceof Error ? error.message : String(error);
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    const message = `the query on connection '${connection}' failed: ${hidePassword(driverMessage, url)}`;
    return new DatabaseQueryError(connection, code, message);
  }
}
