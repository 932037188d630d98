import { Decider, DomainEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { extractPlaceholders, isObjectPropertyName } from '../messages/placeholders';
import { measureSms, SmsEncoding } from '../messages/sms-encoding';

export * from './message-length';

export type TemplateCreated = DomainEvent<
  'TemplateCreated',
  {
    id: string;
    name: string;
    body: string;
    language: string | null;
    placeholders: string[];
    encoding: SmsEncoding;
    characters: number;
    segments: number;
  }
>;
export type TemplateEvent = TemplateCreated;

export type CreateTemplate = { type: 'CreateTemplate'; id: string; name: string; body: string; language?: string };
export type TemplateCommand = CreateTemplate;

export type TemplateState = { exists: false } | ({ exists: true } & TemplateCreated['data']);

/** Maximum body length, in segments of the body's own encoding. */
export const MAX_TEMPLATE_SEGMENTS = 10;

export const templateDecider: Decider<TemplateState, TemplateCommand, TemplateEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (_, event) => ({ exists: true, ...event.data }),

  decide: (command, state) => {
    if (state.exists) {
      throw DomainError.conflict('TEMPLATE.ALREADY_EXISTS', `template '${command.id}' already exists`);
    }
    if (command.body.trim() === '') {
      throw DomainError.invalid('TEMPLATE.EMPTY_BODY', 'body', command.body, 'must contain text');
    }
    const objectKey = extractPlaceholders(command.body).find(isObjectPropertyName);
    if (objectKey !== undefined) {
      throw DomainError.invalid(
        'TEMPLATE.INVALID_PLACEHOLDER',
        'body',
        `{{${objectKey}}}`,
        'names a built-in property of JavaScript objects, which no request can give a value for; choose another key',
      );
    }
    const length = measureSms(command.body);
    if (length.segments > MAX_TEMPLATE_SEGMENTS) {
      throw DomainError.invalid(
        'TEMPLATE.TOO_LONG',
        'body',
        `${length.characters} ${length.encoding} units`,
        `must fit in ${MAX_TEMPLATE_SEGMENTS} segments (it needs ${length.segments})`,
      );
    }
    return [
      {
        type: 'TemplateCreated',
        data: {
          id: command.id,
          name: command.name,
          body: command.body,
          language: command.language ?? null,
          placeholders: extractPlaceholders(command.body),
          ...length,
        },
      },
    ];
  },
};
