import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AdminApiEnvironment } from '@ensoras/runtime';

export class ChannelConfigEnvironment extends AdminApiEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3001;
}
