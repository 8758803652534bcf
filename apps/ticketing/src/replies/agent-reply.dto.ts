import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsByteLength, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * Sizes in UTF-8 bytes. The JSON body limit is computed from them (config/json-body-limit.ts), so a valid reply is
 * never refused as too large, and a reply over a limit is a 400 naming the field. Its send request stays far inside
 * the event budget. 30 KB is some 5,000 words.
 */
export const MAX_REPLY_TEXT_BYTES = 30_000;
export const MAX_REPLY_HTML_BYTES = 60_000;

/** `POST /v1/projects/:projectId/tickets/:ticketId/replies`: a human agent's answer. */
export class AgentReplyDto {
  @ApiProperty({ description: `The reply as plain text; 1 to ${MAX_REPLY_TEXT_BYTES} bytes of UTF-8` }) @IsString() @IsNotEmpty() @IsByteLength(1, MAX_REPLY_TEXT_BYTES) text!: string;
  /** Optional HTML form of the same reply; sanitised like received HTML. Without it mail-outbound sends the text. */
  @ApiPropertyOptional({ description: `The same reply as HTML, sanitised; at most ${MAX_REPLY_HTML_BYTES} bytes of UTF-8. Left out: the text is sent` })
  @IsOptional() @IsString() @IsByteLength(0, MAX_REPLY_HTML_BYTES) html?: string;
}
