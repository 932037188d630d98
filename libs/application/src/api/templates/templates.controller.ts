import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { DomainError, measureSms, renderTemplate, streams, templateDecider } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import {
  IsOptional,
  IsString,
  Length,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { CommandContext } from '../../commands/command-context';
import { EVENT_STORE } from '../../infrastructure/tokens';
import { ReadModels } from '../../read-models/read-models.service';
import { CreateTemplateCommand } from '../../use-cases/catalog.commands';
import { loadState } from '../../use-cases/load-state';
import { Roles } from '../auth/roles';
import { LayoutValuesConstraint } from '../targets/target.dto';
import { notFound } from '../not-found';
import { IsLanguageTag, NotBlank } from '../campaigns/campaign.dto';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';

/**
 * A well-formed placeholder: `{{key}}` with a key of letters, digits, `_`, `-` or `.`, and optional
 * spaces inside the braces. It must match PLACEHOLDER in libs/domain/src/messages/placeholders.ts,
 * which renders templates and does not export its pattern.
 */
const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/g;

/**
 * Rejects a body where `{{` opens no well-formed placeholder (`Hello {{firstName`, `{{first name}}`):
 * the domain would send such text as typed, braces included, without reporting it.
 */
@ValidatorConstraint({ name: 'placeholders' })
class PlaceholdersConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value !== 'string' || findInvalidPlaceholder(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    const body = typeof args.value === 'string' ? args.value : '';
    const position = findInvalidPlaceholder(body) ?? 0;
    const excerpt = body.slice(position, position + 20);
    return `has an unclosed or invalid placeholder at character ${position + 1} ('${excerpt}'): write placeholders as {{key}}, with a key of letters, digits, _, - or .`;
  }
}

export class CreateTemplateBody {
  @ApiProperty({ example: 'Relance' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiProperty({ example: 'Bonjour {{firstName}}, votre rendez-vous est confirmé.' })
  @IsString()
  @Length(1, 1600)
  @Validate(PlaceholdersConstraint, { context: { code: 'TEMPLATE.INVALID_PLACEHOLDER' } })
  body!: string;

  @ApiPropertyOptional({ example: 'fr', description: 'BCP 47 language tag' })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  @Validate(IsLanguageTag)
  language?: string;
}

export class PreviewBody {
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true },
    example: { firstName: 'Léa' },
  })
  @Validate(LayoutValuesConstraint)
  variables!: Record<string, string | number | null>;
}

@ApiTags('templates')
@ApiBearerAuth()
@Roles('maker')
@Controller('templates')
export class TemplatesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateTemplateBody, @RequestContext('maker') context: CommandContext) {
    const template = await this.commands.execute(new CreateTemplateCommand(body, context));
    if (!template.exists) return undefined;
    const { exists: _, revision: __, ...view } = template;
    return view;
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.readModels.listTemplates(query.page, query.pageSize);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return (await this.readModels.getTemplate(id)) ?? notFound('TEMPLATE.NOT_FOUND', 'template', id);
  }

  /** Renders the template as the recipient will read it: plain text, never HTML-escaped. */
  @Post(':id/preview')
  @HttpCode(200)
  async preview(@Param('id') id: string, @Body() request: PreviewBody) {
    const rendered = renderTemplate(await this.templateBody(id), request.variables);
    if (!rendered.ok) {
      throw DomainError.invalid(
        'TEMPLATE.MISSING_VARIABLES',
        'variables',
        rendered.missing.join(', '),
        'must give a value for every placeholder',
      );
    }
    return { text: rendered.text, ...measureSms(rendered.text) };
  }

  /**
   * Returns a template's body from the read model, or from the template's stream when the
   * projector has not applied it yet, so that a preview right after the creation finds it.
   */
  private async templateBody(id: string): Promise<string> {
    const projected = await this.readModels.getTemplate(id);
    if (projected !== undefined) {
      return projected.body;
    }
    const { state } = await loadState(this.store, streams.template(id), templateDecider);
    return state.exists ? state.body : notFound('TEMPLATE.NOT_FOUND', 'template', id);
  }
}

/**
 * Returns the 0-based index of the first `{{` that is not part of a well-formed placeholder. Valid
 * placeholders are blanked first, keeping every index, so `{{{x}}}` (a brace then `{{x}}`) passes.
 */
function findInvalidPlaceholder(body: string): number | undefined {
  const blanked = body.replace(PLACEHOLDER, (placeholder) => ' '.repeat(placeholder.length));
  const index = blanked.indexOf('{{');
  return index === -1 ? undefined : index;
}
