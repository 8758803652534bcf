import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { PROJECT_ID_PATTERN } from '@ensoras/contracts';

/**
 * `:projectId` becomes a NATS subject token and a KV key, so it is held to the contracts' pattern; a bad one is a
 * 400 shaped like every other validation error (`message: ['projectId: …']`).
 */
@Injectable()
export class ProjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PROJECT_ID_PATTERN.test(value)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: ['projectId: projectId must be 1 to 64 letters, digits, "-" or "_"'],
      });
    }
    return value;
  }
}
