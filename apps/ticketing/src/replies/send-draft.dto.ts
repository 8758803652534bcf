import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsByteLength, IsNotEmpty, IsOptional, IsString, ValidateIf } from 'class-validator';
import { MAX_REPLY_HTML_BYTES, MAX_REPLY_TEXT_BYTES } from './agent-reply.dto.js';

/**
 * `POST /v1/projects/:projectId/tickets/:ticketId/drafts/:draftId/send`: an empty body sends the draft as the AI
 * wrote it; `text` (and optionally `html`) send the agent's edit instead. `html` alone is refused: the text is what
 * every mail carries, and the draft's would no longer say the same. Limits as for an agent's reply.
 */
export class SendDraftDto {
  @ApiPropertyOptional({ description: `The agent's edit as plain text (1 to ${MAX_REPLY_TEXT_BYTES} bytes of UTF-8). Left out: the draft is sent as the AI wrote it` })
  @ValidateIf((body: SendDraftDto) => body.text !== undefined || body.html !== undefined)
  @IsString()
  @IsNotEmpty()
  @IsByteLength(1, MAX_REPLY_TEXT_BYTES)
  text?: string;

  @ApiPropertyOptional({ description: `HTML of the edit (at most ${MAX_REPLY_HTML_BYTES} bytes of UTF-8); only with text` })
  @IsOptional() @IsString() @IsByteLength(0, MAX_REPLY_HTML_BYTES) html?: string;
}
