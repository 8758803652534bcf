import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiTokenView, CreatedApiTokenView } from '@ensoras/contracts';
import { AdminOnly } from '@ensoras/runtime';
import { ApiTokens } from './api-tokens.service.js';
import { CreateApiTokenDto } from './create-api-token.dto.js';

/** Scoped API tokens, managed with the ADMIN_TOKEN only: a token cannot make, see or revoke tokens. */
@ApiTags('API tokens')
@Controller('v1/tokens')
@AdminOnly()
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokens) {}

  /** 201 with the secret (`token`): the only time it is shown. 409 when an active token has the name. */
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a scoped API token' })
  @ApiCreatedResponse({ description: 'The token with its secret (`token`), shown this once' })
  @ApiConflictResponse({ description: 'An active token has this name' })
  create(@Body() body: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    return this.tokens.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List the tokens (never their secrets), revoked ones included' })
  @ApiOkResponse({ description: '`{ tokens: [...] }`' })
  async list(): Promise<{ tokens: ApiTokenView[] }> {
    return { tokens: await this.tokens.list() };
  }

  /** 204 once every service has been told (through the bucket); 404 for an unknown id. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token; every service is told through the api-tokens bucket' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ description: 'No token with this id' })
  async revoke(@Param('id') id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}
