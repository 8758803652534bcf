import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
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

@Controller('v1/projects/:projectId/channels/email')
export class EmailChannelController {
  constructor(
    private readonly channels: EmailChannelService,
    private readonly statuses: ChannelStatusService,
  ) {}

  /** 404 while never configured. Passwords are never shown: `passwordSet` says one is stored. */
  @Get()
  @RequireScope('config:read')
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
  status(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelStatusView> {
    return this.statuses.status(projectId);
  }

  @Put()
  @RequireScope('config:write')
  put(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: PutEmailChannelDto): Promise<EmailChannelView> {
    return this.channels.put(projectId, body);
  }

  @Patch()
  @RequireScope('config:write')
  patch(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: PatchEmailChannelDto): Promise<EmailChannelView> {
    return this.channels.patch(projectId, body);
  }

  /** 200 whatever the outcome: the body says which side failed and why. 409 while not configured. */
  @Post('test-connection')
  @RequireScope('config:write')
  @HttpCode(200)
  testConnection(@Param('projectId', ProjectIdPipe) projectId: string): Promise<TestConnectionResult> {
    return this.channels.testConnection(projectId);
  }

  @Post('enable')
  @RequireScope('config:write')
  @HttpCode(200)
  enable(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.enable(projectId);
  }

  @Post('disable')
  @RequireScope('config:write')
  @HttpCode(200)
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
  resume(@Param('projectId', ProjectIdPipe) projectId: string): Promise<EmailChannelView> {
    return this.channels.resume(projectId);
  }
}
