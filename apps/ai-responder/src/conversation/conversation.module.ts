import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationLog } from './conversation-log.service.js';
import { ConversationMessage } from './conversation-message.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([ConversationMessage])],
  providers: [ConversationLog],
  exports: [ConversationLog],
})
export class ConversationModule {}
