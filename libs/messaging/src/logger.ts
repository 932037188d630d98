/**
 * The logging surface the transports need. A pino logger fits it as is: fields first, then the
 * message, and errors under `err` so pino's serializer prints their stack.
 */
export interface TransportLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Default when the caller passes no logger: the library never writes to the console itself. */
export const silentLogger: TransportLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
