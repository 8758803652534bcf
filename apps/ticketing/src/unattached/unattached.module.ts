import { Module } from '@nestjs/common';
import { UnattachedMailController } from './unattached-mail.controller.js';

/** The admin listing of mail that opened no ticket; InboundMailService writes the rows. */
@Module({ controllers: [UnattachedMailController] })
export class UnattachedModule {}
