export { openDatabaseRows } from './database-source';
export type { DatabaseQuery } from './database-reader';
export { DatabaseQueryError } from './database-query-error';
export { databaseDialect, DATABASE_URL_SCHEMES, hidePassword, type DatabaseDialect } from './database-url';
