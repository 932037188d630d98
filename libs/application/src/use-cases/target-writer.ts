import { Inject, Injectable } from '@nestjs/common';
import { streams, TargetAdded } from '@sms/domain';
import { EventStore, NewEvent, WrongExpectedRevisionError } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { toNewEvent } from '../commands/to-new-event';
import { EVENT_STORE, SECRETS } from '../infrastructure/tokens';
import { Secrets } from '../infrastructure/secrets';
import { TargetIdentity } from './target-identity';

/** `targetId`, when given, replaces the id derived from the number (copies of a campaign's targets). */
export type NewTarget = Omit<TargetAdded['data'], 'targetId'> & { insertIfDuplicate: boolean; targetId?: string };

export type AddOutcome = { readonly added: true; readonly targetId: string } | { readonly added: false; readonly duplicateOf: string };

/**
 * Appends TargetAdded events in batches. Each target goes to its own stream with the `no_stream`
 * expectation. A number already in the campaign maps to an existing stream, so the store itself
 * rejects the duplicate, also when two imports of the same file run at once.
 */
@Injectable()
export class TargetWriter {
  private readonly identity: TargetIdentity;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    this.identity = new TargetIdentity(secrets.numberHashKey);
  }

  /** Id a target of `campaignId` gets when it is added without duplicates allowed. */
  idFor(campaignId: string, e164: string): string {
    return this.identity.idFor(campaignId, e164, false);
  }

  /** Id of the copy, in `campaignId`, of another campaign's target: the same on every run of the copy. */
  copyIdFor(campaignId: string, sourceTargetId: string): string {
    return this.identity.copyIdFor(campaignId, sourceTargetId);
  }

  /**
   * Appends the targets in one batch and returns an outcome per target. `deferred` durability lets
   * the commit skip the wait for its disk flush on the SQL event store (see AppendOptions), for
   * callers that can append the same targets again, such as an import that is rerun.
   */
  async addMany(
    targets: readonly NewTarget[],
    context: CommandContext,
    durability: 'flushed' | 'deferred' = 'flushed',
  ): Promise<AddOutcome[]> {
    const outcomes: Array<AddOutcome | undefined> = new Array(targets.length);
    const appends: Array<{ index: number; streamName: string; events: NewEvent[] }> = [];
    const batchIds = new Set<string>();

    targets.forEach((target, index) => {
      const targetId = target.targetId ?? this.identity.idFor(target.campaignId, target.phoneNumber, target.insertIfDuplicate);
      if (batchIds.has(targetId)) {
        outcomes[index] = { added: false, duplicateOf: targetId };
        return;
      }
      batchIds.add(targetId);
      const { insertIfDuplicate: _, targetId: __, ...data } = target;
      appends.push({ index, streamName: streams.target(targetId), events: [toEvent({ targetId, ...data }, context)] });
    });

    const requests = appends.map(({ streamName, events }) => ({ streamName, events, expectedRevision: 'no_stream' as const }));
    const results = await this.store.appendToStreams(requests, { durability });
    results.forEach((result, position) => {
      const { index, streamName } = appends[position];
      const targetId = streamName.slice('target-'.length);
      outcomes[index] = result instanceof WrongExpectedRevisionError ? { added: false, duplicateOf: targetId } : { added: true, targetId };
    });
    return outcomes.map((outcome) => {
      if (outcome === undefined) throw new Error('every target gets an outcome');
      return outcome;
    });
  }
}

function toEvent(data: TargetAdded['data'], context: CommandContext): NewEvent {
  return toNewEvent({ type: 'TargetAdded', data }, context);
}
