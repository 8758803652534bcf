import { Matches } from 'class-validator';
import { PROJECT_ID_PATTERN } from '@ensoras/contracts';

/** `:projectId` becomes a NATS subject token and a KV key, so it is held to the contracts' pattern. */
export class ProjectParams {
  @Matches(PROJECT_ID_PATTERN, { message: 'projectId must be 1 to 64 letters, digits, "_" or "-"' })
  projectId!: string;
}
