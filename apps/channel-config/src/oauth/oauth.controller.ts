import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, BadRequestException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OAUTH_PROVIDERS, OAuthClientDto, StartOAuthDto, type OAuthProvider, type OAuthStateView } from '@ensoras/contracts';
import { ProjectIdPipe, PublicRoute, RequireScope } from '@ensoras/runtime';
import { callbackPage, doneRedirect } from './oauth-callback-page.js';
import { OAuthClients } from './oauth-clients.service.js';
import { OAuthConnect } from './oauth-connect.service.js';
import { OAuthGrants } from './oauth-grants.service.js';
import { OAuthProviders } from './oauth-providers.js';

/** Node's response as the callback needs it (express underneath). */
interface PageResponse {
  status(code: number): PageResponse;
  setHeader(name: string, value: string): void;
  send(body: string): void;
  redirect(status: number, url: string): void;
}

function providerOf(value: string): OAuthProvider {
  if (!(OAUTH_PROVIDERS as readonly string[]).includes(value)) {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [`provider must be one of the following values: ${OAUTH_PROVIDERS.join(', ')}`] });
  }
  return value as OAuthProvider;
}

/** Connecting a project's mailbox with OAuth2, and the project's own OAuth clients. */
@ApiTags('Email channel: OAuth2')
@Controller('v1/projects/:projectId/channels/email/oauth')
@RequireScope('config:write')
export class OAuthController {
  constructor(
    private readonly connect: OAuthConnect,
    private readonly grants: OAuthGrants,
    private readonly clients: OAuthClients,
  ) {}

  /** Which providers can be used, the grants (never a token) and the project's own clients (never a secret). */
  @Get()
  @RequireScope('config:read')
  @ApiOperation({ summary: 'Providers that can be used, the grants (never a token) and the project\'s own clients (never a secret)' })
  @ApiOkResponse({ description: 'The OAuth state' })
  async state(@Param('projectId', ProjectIdPipe) projectId: string): Promise<OAuthStateView> {
    const [available, connections, clients] = await Promise.all([this.clients.available(projectId), this.grants.connections(projectId), this.clients.list(projectId)]);
    return { projectId, available, connections, clients };
  }

  /** The consent URL to open in the admin's browser; 409 when the provider has no client or no redirect URL is set. */
  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: "The consent URL to open in the admin's browser" })
  @ApiOkResponse({ description: '`{ url, expiresAt }`' })
  @ApiBadRequestResponse({ description: 'Unknown provider' })
  @ApiConflictResponse({ description: 'The provider has no client, or no redirect URL is set' })
  start(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: StartOAuthDto): Promise<{ url: string; expiresAt: string }> {
    return this.connect.start(projectId, body.provider);
  }

  /** Forgets the grant (and asks the provider to revoke it, where it can). 404 when not connected. */
  @Delete(':provider')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget the grant (and ask the provider to revoke it, where it can)' })
  @ApiParam({ name: 'provider', enum: OAUTH_PROVIDERS })
  @ApiNoContentResponse({ description: 'Disconnected' })
  @ApiBadRequestResponse({ description: 'Unknown provider' })
  @ApiNotFoundResponse({ description: 'Not connected with this provider' })
  disconnect(@Param('projectId', ProjectIdPipe) projectId: string, @Param('provider') provider: string): Promise<void> {
    return this.connect.disconnect(projectId, providerOf(provider));
  }

  /** The project's own OAuth client, used instead of the deployment's from the next consent on. */
  @Put('clients/:provider')
  @ApiOperation({ summary: "Store the project's own OAuth client, used instead of the deployment's from the next consent on" })
  @ApiParam({ name: 'provider', enum: OAUTH_PROVIDERS })
  @ApiOkResponse({ description: '`{ provider, clientId, updatedAt }` (never the secret)' })
  @ApiBadRequestResponse({ description: 'Unknown provider, or a field is invalid' })
  putClient(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('provider') provider: string,
    @Body() body: OAuthClientDto,
  ): Promise<{ provider: OAuthProvider; clientId: string; updatedAt: string }> {
    return this.clients.put(projectId, providerOf(provider), body);
  }

  @Delete('clients/:provider')
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the project's own OAuth client" })
  @ApiParam({ name: 'provider', enum: OAUTH_PROVIDERS })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiBadRequestResponse({ description: 'Unknown provider' })
  async removeClient(@Param('projectId', ProjectIdPipe) projectId: string, @Param('provider') provider: string): Promise<void> {
    await this.clients.remove(projectId, providerOf(provider));
  }
}

/**
 * The provider sends the admin's browser here (OAUTH_REDIRECT_URL). No admin token: the single-use state, bound to
 * project and provider when the consent started, is what authenticates it.
 */
@Controller('v1/oauth')
@PublicRoute()
@ApiTags('Email channel: OAuth2')
export class OAuthCallbackController {
  constructor(
    private readonly connect: OAuthConnect,
    private readonly providers: OAuthProviders,
  ) {}

  @Get('callback')
  @ApiOperation({ summary: "Where the provider sends the admin's browser after the consent (OAUTH_REDIRECT_URL); no token, the single-use state authenticates it" })
  @ApiOkResponse({ description: 'A small page saying the mailbox is connected (or a 303 to OAUTH_DONE_URL)' })
  @ApiBadRequestResponse({ description: 'A page saying why connecting failed (or a 303 to OAUTH_DONE_URL)' })
  async callback(@Query() query: Record<string, unknown>, @Res() response: PageResponse): Promise<void> {
    const outcome = await this.connect.callback(query);
    const doneUrl = this.providers.doneUrl;
    if (doneUrl) {
      response.redirect(303, doneRedirect(doneUrl, outcome));
      return;
    }
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    response.setHeader('referrer-policy', 'no-referrer');
    response.status(outcome.connected ? 200 : 400).send(callbackPage(outcome));
  }
}
