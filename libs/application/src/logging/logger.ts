import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export type AppLogger = Logger;

/** JSON logs on stdout. Phone numbers and secrets are never logged; ids are. */
export function createLogger(level: string, name: string): AppLogger {
  return pino({ level, name, base: { app: name }, redact: ['phoneNumber', '*.phoneNumber', 'to', 'password', 'secret'] });
}

/** Routes Nest's own messages (module start, route mapping) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
