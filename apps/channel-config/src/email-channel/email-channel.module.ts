import { Module } from '@nestjs/common';
import { OAuthModule } from '../oauth/oauth.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { ChannelPauseController } from './channel-pause.controller.js';
import { ChannelPauseRecords } from './channel-pause-records.service.js';
import { ChannelStatusService } from './channel-status.service.js';
import { ConnectionTester } from './connection-test.service.js';
import { EmailChannelController } from './email-channel.controller.js';
import { EmailChannelService } from './email-channel.service.js';
import { PasswordResealing } from './password-resealing.service.js';

@Module({
  imports: [ProjectsModule, OAuthModule],
  controllers: [EmailChannelController, ChannelPauseController],
  providers: [EmailChannelService, ChannelStatusService, ConnectionTester, PasswordResealing, ChannelPauseRecords],
})
export class EmailChannelModule {}
