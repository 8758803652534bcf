import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** `POST /v1/projects/:projectId/tickets/:ticketId/replies`: a human agent's answer. */
export class AgentReplyDto {
  @IsString() @IsNotEmpty() @MaxLength(200_000) text!: string;
  /** Optional HTML form of the same reply; without it mail-outbound sends the text. */
  @IsOptional() @IsString() @MaxLength(500_000) html?: string;
}
