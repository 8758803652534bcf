import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** The ticket keeps this much of a handoff's reason (ai-responder sends at most this much too). */
export const MAX_HANDOFF_REASON_CHARS = 1_000;

/** `POST /v1/projects/:projectId/tickets/:ticketId/handoff`: an agent takes the ticket from the AI, saying why. */
export class HandoffDto {
  @ApiProperty({ maxLength: MAX_HANDOFF_REASON_CHARS, pattern: '\\S', example: 'Asks for a refund over the limit' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(MAX_HANDOFF_REASON_CHARS)
  reason!: string;
}
