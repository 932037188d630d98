import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  calendarDecider,
  CalendarRules,
  CalendarState,
  profileDecider,
  ProfileState,
  senderDecider,
  SenderState,
  streams,
  templateDecider,
  TemplateState,
} from '@sms/domain';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { withStreamId } from './load-state';

export class RegisterSenderCommand {
  constructor(
    readonly input: { name: string; senderId: string; throughputPerSecond?: number },
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RegisterSenderCommand)
export class RegisterSenderHandler implements ICommandHandler<RegisterSenderCommand, SenderState & { revision: number }> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ input, context }: RegisterSenderCommand) {
    const id = randomUUID();
    const command = { type: 'RegisterSender' as const, id, ...input };
    const result = await this.executor.execute(streams.sender(id), senderDecider, command, context, 'no_stream');
    return { ...result.state, revision: result.revision };
  }
}

export class CreateTemplateCommand {
  constructor(
    readonly input: { name: string; body: string; language?: string },
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CreateTemplateCommand)
export class CreateTemplateHandler implements ICommandHandler<CreateTemplateCommand, TemplateState & { revision: number }> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ input, context }: CreateTemplateCommand) {
    const id = randomUUID();
    const command = { type: 'CreateTemplate' as const, id, ...input };
    const result = await this.executor.execute(streams.template(id), templateDecider, command, context, 'no_stream');
    return { ...result.state, revision: result.revision };
  }
}

export class CreateCalendarCommand {
  constructor(
    readonly input: { name: string; rules: CalendarRules },
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CreateCalendarCommand)
export class CreateCalendarHandler implements ICommandHandler<CreateCalendarCommand, CalendarState & { revision: number }> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ input, context }: CreateCalendarCommand) {
    const id = randomUUID();
    const command = { type: 'CreateCalendar' as const, id, ...input };
    const result = await this.executor.execute(streams.calendar(id), calendarDecider, command, context, 'no_stream');
    return { ...result.state, revision: result.revision };
  }
}

export class CreateProfileCommand {
  constructor(
    readonly input: { name: string; manageCampaign: boolean },
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CreateProfileCommand)
export class CreateProfileHandler implements ICommandHandler<CreateProfileCommand, ProfileState & { revision: number }> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ input, context }: CreateProfileCommand) {
    const id = randomUUID();
    const result = await this.executor.execute(
      streams.profile(id),
      profileDecider,
      { type: 'CreateProfile', id, ...input },
      context,
      'no_stream',
    );
    return { ...result.state, revision: result.revision };
  }
}

export class ChangeProfileCommand {
  constructor(
    readonly profileId: string,
    readonly input: { name?: string; manageCampaign?: boolean },
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(ChangeProfileCommand)
export class ChangeProfileHandler implements ICommandHandler<ChangeProfileCommand, ProfileState & { revision: number }> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ profileId, input, context, expectedRevision }: ChangeProfileCommand) {
    const command = { type: 'ChangeProfile' as const, ...input };
    const result = await withStreamId('PROFILE.NOT_FOUND', 'profile', profileId, () =>
      this.executor.execute(streams.profile(profileId), profileDecider, command, context, expectedRevision),
    );
    return { ...result.state, revision: result.revision };
  }
}
