import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  PatchEmailChannelDto,
  PutEmailChannelDto,
  type EmailChannelStatusView,
  type EmailChannelView,
  type TestConnectionResult,
} from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { ChannelStatusService } from './channel-status.service.js';
import { EmailChannelService } from './email-channel.service.js';

@ApiTags('Email channel')
@Controller('v1/projects/:projectId/channels/email')
export class EmailChannelController {
  constructor(
    private readonly channels: EmailChannelService,
    private readonly statuses: ChannelStatusService,
  ) {}

  /** 404 while never configured. Passwords are never shown: `passwordSet` says one is stored. */
  @Get()
  @RequireScope('config:read')
  @ApiOperation({ summary: 'The email channel; passwords are never shown (`passwordSet` says one is stored)' })
  @ApiOkResponse({ description: 'The channel' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  get(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.get(projectId);
  }

  /**
   * What the mailbox is doing: connecting, backfilling (imported of total), watching, failing (lastError), paused
   * (lastError: why), or disabled; `paused` says per direction (imap, smtp) what stopped logging in. 404 while never
   * configured.
   */
  @Get('status')
  @RequireScope('config:read')
  @ApiOperation({ summary: 'What the mailbox is doing: connecting, backfilling, watching, failing, paused or disabled' })
  @ApiOkResponse({ description: 'The status, with `paused` per direction (imap, smtp)' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  status(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelStatusView> {
    return this.statuses.status(projectId);
  }

  @Put()
  @RequireScope('config:write')
  @ApiOperation({ summary: 'Configure the whole channel (a new revision)' })
  @ApiOkResponse({ description: 'The channel as stored' })
  @ApiBadRequestResponse({ description: 'A field is invalid, or a password is missing where none is stored' })
  put(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: PutEmailChannelDto): Promise<EmailChannelView> {
    return this.channels.put(projectId, body);
  }

  @Patch()
  @RequireScope('config:write')
  @ApiOperation({ summary: 'Change some settings; those left out keep their values, passwords included' })
  @ApiOkResponse({ description: 'The channel as stored' })
  @ApiBadRequestResponse({ description: 'A field is invalid, or the merged settings are (e.g. minSeconds above maxSeconds)' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  patch(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: PatchEmailChannelDto): Promise<EmailChannelView> {
    return this.channels.patch(projectId, body);
  }

  /** 200 whatever the outcome: the body says which side failed and why. 409 while not configured. */
  @Post('test-connection')
  @RequireScope('config:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in to IMAP and SMTP with the stored settings' })
  @ApiOkResponse({ description: 'Whatever the outcome: the body says which side failed and why' })
  @ApiConflictResponse({ description: 'The channel is not configured' })
  testConnection(@Param('projectId', ProjectIdPipe) projectId: string): Promise<TestConnectionResult> {
    return this.channels.testConnection(projectId);
  }

  @Post('enable')
  @RequireScope('config:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start importing mail and answering' })
  @ApiOkResponse({ description: 'The channel' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  enable(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.enable(projectId);
  }

  @Post('disable')
  @RequireScope('config:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop importing mail and answering' })
  @ApiOkResponse({ description: 'The channel' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  disable(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.disable(projectId);
  }

  /**
   * Logs in again where repeated authentication failures paused a direction (`paused` in the view and the status):
   * a new revision of the settings, audit `email_channel.resumed`, channel.email.resumed. 200 with the channel; when
   * nothing is paused, 200 and nothing changes. 404 while never configured.
   */
  @Post('resume')
  @RequireScope('config:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in again where repeated authentication failures paused a direction' })
  @ApiOkResponse({ description: 'The channel (unchanged when nothing was paused)' })
  @ApiNotFoundResponse({ description: 'The channel was never configured' })
  resume(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.resume(projectId);
  }
}
