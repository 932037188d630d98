import { randomUUID } from 'node:crypto';
import { Actor } from '@sms/domain';

/** The actor, time and cause of a command, copied into the metadata of every event it appends. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  /** ISO-8601 instant the command is decided at. */
  readonly now: string;
}

export function serviceContext(service: string, causationId?: string, correlationId?: string): CommandContext {
  const id = randomUUID();
  return {
    actor: { id: `service:${service}`, role: 'service' },
    correlationId: correlationId ?? causationId ?? id,
    causationId: causationId ?? id,
    now: new Date().toISOString(),
  };
}
