import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../commands/command-context';
import { Roles } from '../auth/roles';
import { readDefaultCountry } from '../default-country';
import { RequestContext } from '../request-context';
import { EraseNumberBody, NumberErasureResponse } from './erasure.dto';
import { EraseNumberCommand, NumberErasure } from './number-erasure';

/**
 * Erasure of a phone number's personal data across every campaign and the do-not-contact list.
 * The targets stay listed with their attempts and statuses, without the number; a number on the
 * list stays blocked.
 */
@ApiTags('erasures')
@ApiBearerAuth()
@Roles('maker')
@Controller('erasures')
export class ErasuresController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: NumberErasureResponse, description: 'The number is erased; the counts say what this call erased' })
  @ApiConflictResponse({ description: 'A target of the number has an attempt in progress; the others are erased, repeat the call later' })
  erase(@Body() body: EraseNumberBody, @RequestContext('maker') context: CommandContext): Promise<NumberErasure> {
    return this.commands.execute<EraseNumberCommand, NumberErasure>(
      new EraseNumberCommand(body.phoneNumber, readDefaultCountry(body.defaultCountry), context),
    );
  }
}
