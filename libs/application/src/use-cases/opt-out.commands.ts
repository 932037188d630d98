import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, normalisePhoneNumber, optOutDecider, OptOutSource, OptOutState } from '@sms/domain';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { Secrets } from '../infrastructure/secrets';
import { SECRETS } from '../infrastructure/tokens';
import { optOutStreamOf } from '../infrastructure/personal-data';

/** A number on the do-not-contact list, as the Maker endpoints return it. */
export interface OptOutEntry {
  readonly phoneNumber: string;
  readonly since: string;
  readonly source: OptOutSource;
  readonly keyword: string | null;
  readonly campaignId: string | null;
}

/**
 * Writes to the do-not-contact list, one stream per number. The stream id is a keyed hash of
 * the E.164 number with the key of the target ids (NUMBER_HASH_KEY), so every process finds the
 * same stream and the number never appears in a stream name.
 */
@Injectable()
export class OptOutList {
  private readonly key: string;

  constructor(
    private readonly executor: CommandExecutor,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    this.key = secrets.numberHashKey;
  }

  /** Puts an E.164 number on the list; `added` is false when it was already there. */
  async optOut(
    request: { phoneNumber: string; source: OptOutSource; keyword: string | null; campaignId: string | null },
    context: CommandContext,
  ): Promise<{ added: boolean; entry: OptOutEntry }> {
    const result = await this.executor.execute(
      this.streamOf(request.phoneNumber),
      optOutDecider,
      { type: 'OptOut', ...request, now: context.now },
      context,
    );
    return { added: result.events.length > 0, entry: entryOf(result.state) };
  }

  /** Takes an E.164 number off the list; returns false when it was not on it. */
  async optIn(request: { phoneNumber: string; source: OptOutSource; keyword: string | null }, context: CommandContext): Promise<boolean> {
    const result = await this.executor.execute(
      this.streamOf(request.phoneNumber),
      optOutDecider,
      { type: 'OptIn', ...request, now: context.now },
      context,
    );
    return result.events.length > 0;
  }

  private streamOf(e164: string): string {
    return optOutStreamOf(this.key, e164);
  }
}

export class AddOptOutCommand {
  constructor(
    /** As the user typed it; read in `defaultCountry` when national. */
    readonly phoneNumber: string,
    readonly defaultCountry: string,
    readonly context: CommandContext,
  ) {}
}

/** Adds a number to the list on a Maker user's request; adding it again changes nothing. */
@CommandHandler(AddOptOutCommand)
export class AddOptOutHandler implements ICommandHandler<AddOptOutCommand, { added: boolean; entry: OptOutEntry }> {
  constructor(private readonly list: OptOutList) {}

  execute({ phoneNumber, defaultCountry, context }: AddOptOutCommand) {
    const e164 = requireNumber(phoneNumber, defaultCountry);
    return this.list.optOut({ phoneNumber: e164, source: 'MAKER', keyword: null, campaignId: null }, context);
  }
}

export class RemoveOptOutCommand {
  constructor(
    /** As the user typed it; read in `defaultCountry` when national. */
    readonly phoneNumber: string,
    readonly defaultCountry: string,
    readonly context: CommandContext,
  ) {}
}

/** Takes a number off the list on a Maker user's request; 404 when it is not on it. */
@CommandHandler(RemoveOptOutCommand)
export class RemoveOptOutHandler implements ICommandHandler<RemoveOptOutCommand, void> {
  constructor(private readonly list: OptOutList) {}

  async execute({ phoneNumber, defaultCountry, context }: RemoveOptOutCommand): Promise<void> {
    const e164 = requireNumber(phoneNumber, defaultCountry);
    const removed = await this.list.optIn({ phoneNumber: e164, source: 'MAKER', keyword: null }, context);
    if (!removed) {
      throw DomainError.notFound('OPT_OUT.NOT_FOUND', 'opted-out number', e164);
    }
  }
}

function requireNumber(phoneNumber: string, defaultCountry: string): string {
  const result = normalisePhoneNumber(phoneNumber, defaultCountry);
  if (!result.ok) {
    throw DomainError.invalid('OPT_OUT.INVALID_PHONE_NUMBER', 'phoneNumber', phoneNumber, result.rule);
  }
  return result.e164;
}

function entryOf(state: OptOutState): OptOutEntry {
  if (!state.optedOut) {
    // The OptOut command always leaves the number on the list.
    throw new Error('opt-out stream is not opted out after an OptOut command');
  }
  const { phoneNumber, since, source, keyword, campaignId } = state;
  return { phoneNumber, since, source, keyword, campaignId };
}
