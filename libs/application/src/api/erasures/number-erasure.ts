import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, normalisePhoneNumber, optOutDecider, STREAM_PREFIXES, targetDecider } from '@sms/domain';
import { EventStore, SubjectKeys } from '@sms/event-store';
import { CommandContext } from '../../commands/command-context';
import { CommandExecutor } from '../../commands/command-executor';
import { optOutStreamOf } from '../../infrastructure/personal-data';
import { Secrets } from '../../infrastructure/secrets';
import { EVENT_STORE, SECRETS, SUBJECT_KEYS } from '../../infrastructure/tokens';

/** Counts of what one erasure of a number erased. */
export interface NumberErasure {
  /** Targets of the number, in any campaign, whose personal data this call erased. */
  readonly targets: number;
  /** Opt-out entries of the number whose personal data this call erased (0 or 1). */
  readonly optOuts: number;
}

export class EraseNumberCommand {
  constructor(
    /** As the user typed it; read in `defaultCountry` when national. */
    readonly phoneNumber: string,
    readonly defaultCountry: string,
    readonly context: CommandContext,
  ) {}
}

/**
 * Erases a phone number across every campaign and the do-not-contact list. The subjects of the
 * number are found by the keyed hash stored with their keys. Each target not erased yet gets
 * TargetDeleted, which blanks the read models and cancels it if pending, and the opt-out stream
 * gets OptOutErased, which blanks its row while the list keeps blocking the number by hash. Then
 * their keys are deleted, which makes the number and layout values unreadable in the events.
 *
 * Erasing again is harmless and finishes an erasure that stopped part way. A target with an
 * attempt in progress keeps its key, and the call ends with 409 once the others are erased.
 */
@CommandHandler(EraseNumberCommand)
export class EraseNumberHandler implements ICommandHandler<EraseNumberCommand, NumberErasure> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeys,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  async execute({ phoneNumber, defaultCountry, context }: EraseNumberCommand): Promise<NumberErasure> {
    const number = normalisePhoneNumber(phoneNumber, defaultCountry);
    if (!number.ok) {
      throw DomainError.invalid('ERASURE.INVALID_PHONE_NUMBER', 'phoneNumber', phoneNumber, number.rule);
    }
    const subjects = await this.keys.subjectsOfNumber(number.e164);

    const outcomes = new Map<string, Outcome>();
    for (const streamName of subjects.filter((subject) => subject.startsWith(STREAM_PREFIXES.target))) {
      outcomes.set(streamName, await this.deleteTarget(streamName, context));
    }
    // The opt-out stream is named by the number's own keyed hash, so it is found without its key too.
    const optOutStream = optOutStreamOf(this.secrets.numberHashKey, number.e164);
    outcomes.set(optOutStream, await this.eraseOptOut(optOutStream, context));

    const erasable = [...outcomes].filter(([, outcome]) => outcome !== 'BUSY').map(([streamName]) => streamName);
    const stillReadable = await this.readableTargets(
      erasable.filter((streamName) => streamName.startsWith(STREAM_PREFIXES.target) && outcomes.get(streamName) === 'UNCHANGED'),
    );
    const keysDeleted = new Set(await this.keys.erase(erasable));
    // A key counts only when it still opened the target's data: after an erasure that stopped part
    // way, not a key that a later, refused add of the erased number left behind.
    const erasedNow = (streamName: string) =>
      outcomes.get(streamName) === 'ERASED' ||
      (keysDeleted.has(streamName) && (!streamName.startsWith(STREAM_PREFIXES.target) || stillReadable.has(streamName)));
    const targetStreams = [...outcomes.keys()].filter((streamName) => streamName.startsWith(STREAM_PREFIXES.target));
    const result = { targets: targetStreams.filter(erasedNow).length, optOuts: erasedNow(optOutStream) ? 1 : 0 };

    const busy = targetStreams.filter((streamName) => outcomes.get(streamName) === 'BUSY').length;
    if (busy > 0) {
      throw DomainError.conflict(
        'ERASURE.ATTEMPT_IN_PROGRESS',
        `${busy} target(s) of this number have an attempt in progress and keep their data until it ends, ` +
          `while ${result.targets} target(s) and ${result.optOuts} opt-out entry were erased: repeat the request once the attempts have ended`,
      );
    }
    return result;
  }

  /** Returns the target streams whose TargetAdded still reads with its phone number, that is, whose key opens it. */
  private async readableTargets(streamNames: readonly string[]): Promise<Set<string>> {
    if (streamNames.length === 0) return new Set();
    const events = await this.store.readStreams(streamNames);
    return new Set(
      events
        .filter((event) => event.type === 'TargetAdded' && typeof event.data.phoneNumber === 'string' && event.data.phoneNumber !== '')
        .map((event) => event.streamName),
    );
  }

  /** Appends TargetDeleted unless the target is erased already or has an attempt in progress. */
  private async deleteTarget(streamName: string, context: CommandContext): Promise<Outcome> {
    try {
      const { events } = await this.executor.execute(streamName, targetDecider, { type: 'DeleteTarget', now: context.now }, context);
      return events.length > 0 ? 'ERASED' : 'UNCHANGED';
    } catch (error) {
      if (error instanceof DomainError && error.code === 'TARGET.ATTEMPT_IN_PROGRESS') {
        return 'BUSY';
      }
      // A key whose TargetAdded was never appended: the key alone goes.
      if (error instanceof DomainError && error.code === 'TARGET.NOT_FOUND') {
        return 'UNCHANGED';
      }
      throw error;
    }
  }

  /** Appends OptOutErased when the number has opt-out events and the last one is not already that. */
  private async eraseOptOut(streamName: string, context: CommandContext): Promise<Outcome> {
    const events = await this.store.readStream(streamName);
    if (events.length === 0 || events[events.length - 1].type === 'OptOutErased') {
      return 'UNCHANGED';
    }
    await this.executor.execute(streamName, optOutDecider, { type: 'EraseOptOut', now: context.now }, context, events.length - 1);
    return 'ERASED';
  }
}

/** `ERASED` when this call appended the erasure event, `BUSY` when an attempt in progress forbade it. */
type Outcome = 'ERASED' | 'UNCHANGED' | 'BUSY';
