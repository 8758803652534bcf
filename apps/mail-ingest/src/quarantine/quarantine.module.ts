import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QuarantineStore } from './quarantine.store.js';
import { QuarantinedMail } from './quarantined-mail.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([QuarantinedMail])],
  providers: [QuarantineStore],
  exports: [QuarantineStore],
})
export class QuarantineModule {}
