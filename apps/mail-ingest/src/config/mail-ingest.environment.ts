import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceEnvironment } from '@ensoras/runtime';

export class MailIngestEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3004;
}
