import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckpointStore } from './checkpoint.store.js';
import { MailboxCheckpoint } from './mailbox-checkpoint.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([MailboxCheckpoint])],
  providers: [CheckpointStore],
  exports: [CheckpointStore],
})
export class CheckpointsModule {}
