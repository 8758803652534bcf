import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictException, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, IsNull, QueryFailedError } from 'typeorm';
import type { ApiTokenView, CreatedApiTokenView } from '@ensoras/contracts';
import { apiTokenKey } from '@ensoras/messaging';
import { ApiTokenEntity, apiTokenViewOf } from './api-token.entity.js';
import { ApiTokensSync } from './api-tokens.sync.js';
import type { CreateApiTokenDto } from './create-api-token.dto.js';

/** Recognisable in logs and secret scanners; 32 random bytes after it. */
const TOKEN_PREFIX = 'ens_';

/**
 * Creating, listing and revoking scoped tokens. Not in the per-project audit log (a token is for many projects or all,
 * and changes no project's settings): creation and revocation are logged here instead, without the secret.
 */
@Injectable()
export class ApiTokens {
  private readonly logger = new Logger(ApiTokens.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sync: ApiTokensSync,
  ) {}

  async create(request: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    const tokens = this.dataSource.getRepository(ApiTokenEntity);
    // Asked first for a clean answer; the unique index decides between two requests at once.
    if (await tokens.existsBy({ name: request.name, revokedAt: IsNull() })) throw nameTaken(request.name);
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const token = tokens.create({
      id: randomUUID(),
      name: request.name,
      tokenHash: apiTokenKey(secret),
      allProjects: request.projects === '*',
      projects: request.projects === '*' ? [] : request.projects,
      scopes: request.scopes,
      createdAt: new Date(),
      revokedAt: null,
    });
    try {
      await tokens.insert(token);
    } catch (error) {
      throw isUniqueViolation(error, 'api_token_active_name') ? nameTaken(request.name) : error;
    }
    await this.sync.publish(token);
    const { revokedAt: _revokedAt, ...view } = apiTokenViewOf(token);
    this.logger.log(`API token ${token.id} "${token.name}" created: ${JSON.stringify(view.projects)}, ${token.scopes.join(' ')}`);
    return { ...view, token: secret };
  }

  /** Newest first, revoked ones too (the audit log names them). */
  async list(): Promise<ApiTokenView[]> {
    const tokens = await this.dataSource.getRepository(ApiTokenEntity).find({ order: { createdAt: 'DESC', id: 'ASC' } });
    return tokens.map(apiTokenViewOf);
  }

  /**
   * Marks the token revoked, then deletes it from the bucket, which every service's replica watches: it stops working
   * everywhere within the watch's delay. Revoking a revoked token again deletes its key again (a repair), no error.
   */
  async revoke(id: string): Promise<void> {
    const tokens = this.dataSource.getRepository(ApiTokenEntity);
    const token = isUUID(id) ? await tokens.findOneBy({ id }) : null;
    if (!token) throw new NotFoundException(`No API token ${id}`);
    if (!token.revokedAt) {
      token.revokedAt = new Date();
      await tokens.update({ id, revokedAt: IsNull() }, { revokedAt: token.revokedAt });
      this.logger.log(`API token ${token.id} "${token.name}" revoked`);
    }
    try {
      await this.sync.remove(token);
    } catch (error) {
      this.logger.warn(`API token ${token.id} revoked, but not yet deleted from the bucket: ${error instanceof Error ? error.message : String(error)}`);
      throw new ServiceUnavailableException(
        `Token ${id} is revoked, but the services could not be told yet (NATS is not reachable); it is retried until they are`,
      );
    }
  }
}

function nameTaken(name: string): ConflictException {
  return new ConflictException(`An active token is already named "${name}": revoke it or choose another name`);
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === constraint;
}
