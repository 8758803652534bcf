import { Module } from '@nestjs/common';
import { AttachmentsController } from './attachments.controller.js';
import { RawAttachmentReader } from './raw-attachment-reader.js';

/** Attachments of received mail, decoded from the raw mail on request. */
@Module({ controllers: [AttachmentsController], providers: [RawAttachmentReader] })
export class AttachmentsModule {}
