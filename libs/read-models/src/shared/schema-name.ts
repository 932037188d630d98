/** Schema that contains the read model tables unless a caller names another. */
export const DEFAULT_READ_MODEL_SCHEMA = 'read_models';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** PostgreSQL truncates identifiers longer than 63 bytes, so two long names could collide. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Returns the schema name double-quoted for use in SQL text. Identifiers cannot be bound as
 * parameters, so the name is checked against a strict pattern before it reaches any statement.
 */
export function quoteSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.length > MAX_IDENTIFIER_LENGTH) {
    throw new Error(
      `schema '${schema}' is not a valid read model schema name: use 1-${MAX_IDENTIFIER_LENGTH} lower-case letters, digits or underscores, not starting with a digit`,
    );
  }
  return `"${schema}"`;
}

export interface ReadModelOptions {
  /** Schema of the read model tables; `read_models` when absent. */
  readonly schema?: string;
}
