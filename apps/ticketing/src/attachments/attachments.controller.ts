import { Controller, Get, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { TicketMessage } from '../tickets/ticket-message.entity.js';
import { attachmentHeaders } from './attachment-response.js';
import { RawAttachmentReader } from './raw-attachment-reader.js';

/** The few response methods used here, rather than the whole Express type. */
interface HeaderTarget {
  setHeader(name: string, value: string): unknown;
}

/** Serves the attachments listed on a received message; the links in its HTML point here. */
@ApiTags('Inbox')
@Controller('v1/projects/:projectId/tickets/:ticketId/messages/:messageId/attachments')
export class AttachmentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: RawAttachmentReader,
  ) {}

  /**
   * 404 alike for an unknown ticket, message or index, for mail over the size limit (it keeps no attachments), and
   * for raw mail that is no longer stored.
   */
  @Get(':index')
  @RequireScope('inbox:read')
  @ApiOperation({ summary: 'An attachment of a received message, by its index in the message\'s list' })
  @ApiParam({ name: 'ticketId', format: 'uuid' })
  @ApiParam({ name: 'messageId', format: 'uuid' })
  @ApiParam({ name: 'index', schema: { type: 'integer', minimum: 0 } })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes as the sender sent them, with their content type; never sniffed, sandboxed', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ description: 'Unknown ticket, message or index, mail over the size limit, or raw mail no longer kept' })
  async download(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('ticketId') ticketId: string,
    @Param('messageId') messageId: string,
    @Param('index') indexParam: string,
    @Res({ passthrough: true }) response: HeaderTarget,
  ): Promise<StreamableFile> {
    const notFound = () => new NotFoundException(`Attachment ${indexParam} of message ${messageId} not found`);
    if (!isUUID(ticketId) || !isUUID(messageId) || !/^\d{1,5}$/.test(indexParam)) throw notFound();
    const index = Number(indexParam);
    const message = await this.dataSource.getRepository(TicketMessage).findOneBy({ id: messageId, ticketId, projectId });
    if (!message?.rawObjectKey || index >= message.attachments.length) throw notFound();

    const attachment = await this.reader.read(message.rawObjectKey, message.attachments, index);
    if (!attachment) throw notFound();
    const headers = attachmentHeaders(attachment.meta, index);
    // The bytes are the sender's: never let a browser guess them into something active, nor run them on our origin.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    response.setHeader('Cache-Control', 'private, max-age=3600');
    return new StreamableFile(attachment.content, {
      type: headers.contentType,
      disposition: headers.disposition,
      length: attachment.content.length,
    });
  }
}
