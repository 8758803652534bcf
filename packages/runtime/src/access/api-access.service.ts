import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { ApiActor } from '@ensoras/contracts';
import { ApiTokenReplica } from '@ensoras/messaging';
import { decideAccess, type AccessRule } from './access-decision.js';
import { recordActor } from './actor-context.js';
import { bearerTokenOf, isAdminToken } from './bearer.js';
import { TokenBucketRateLimiter } from './rate-limiter.js';

export const API_ACCESS_OPTIONS = Symbol('API_ACCESS_OPTIONS');

export interface ApiAccessOptions {
  /** Passes every route; unset: only scoped tokens do (the services without it register no routes anyway). */
  adminToken?: string;
  /** Requests per minute per scoped token in this process (API_RATE_LIMIT_PER_MINUTE); the ADMIN_TOKEN is not limited. */
  rateLimitPerMinute: number;
}

/** What the guard reads of a request, and where it leaves the caller for the handler. */
export interface AccessRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  actor?: ApiActor;
}

/** How long a request waits for the token replica's first load (NATS slow at start) before it is refused with 503. */
const REPLICA_WAIT_MS = 2_000;

/**
 * Decides each guarded request: the ADMIN_TOKEN passes everything; a scoped token is looked up in the replica of the
 * `api-tokens` bucket (no round trip), counted against its rate limit, then held to the route's scope and project.
 * 401: no token or an unknown (or revoked) one; 403: a known token that may not do this; 429: over its rate.
 */
@Injectable()
export class ApiAccess implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiAccess.name);
  private readonly limiter: TokenBucketRateLimiter;

  constructor(
    @Inject(API_ACCESS_OPTIONS) private readonly options: ApiAccessOptions,
    private readonly tokens: ApiTokenReplica,
  ) {
    this.limiter = new TokenBucketRateLimiter(options.rateLimitPerMinute);
  }

  onApplicationBootstrap(): void {
    // Loaded ahead of the first request; a failure is logged by the replica and tried again by that request.
    this.tokens.whenReady().catch(() => undefined);
  }

  async check(request: AccessRequest, response: { setHeader(name: string, value: string): unknown }, rule: AccessRule): Promise<void> {
    // Guards on a controller and on its handler both run: the request is decided once.
    if (request.actor) return;
    const presented = bearerTokenOf(request.headers.authorization);
    if (presented === null) throw unauthorized();
    if (isAdminToken(presented, this.options.adminToken)) return this.admit(request, { kind: 'admin' });

    const token = await this.lookUp(presented);
    if (!token) throw unauthorized();
    const retryAfter = this.limiter.take(token.id);
    if (retryAfter > 0) {
      response.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message: `This token made more than ${this.options.rateLimitPerMinute} requests a minute; retry in ${retryAfter} s`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const decision = decideAccess(token, rule, request.params?.projectId);
    if (!decision.allowed) {
      const { allowed: _allowed, ...reason } = decision;
      throw new ForbiddenException({ statusCode: HttpStatus.FORBIDDEN, error: 'Forbidden', ...reason });
    }
    this.admit(request, { kind: 'token', id: token.id, name: token.name });
  }

  private admit(request: AccessRequest, actor: ApiActor): void {
    request.actor = actor;
    recordActor(actor);
  }

  private async lookUp(presented: string) {
    if (!this.tokens.isReady()) {
      const loaded = await Promise.race([
        this.tokens.whenReady().then(() => true, () => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REPLICA_WAIT_MS).unref()),
      ]);
      if (!loaded) {
        this.logger.warn('An API token was presented before the api-tokens bucket could be read');
        throw new ServiceUnavailableException('API tokens cannot be checked yet (NATS is not reachable); the ADMIN_TOKEN still works');
      }
    }
    return this.tokens.find(presented);
  }
}

function unauthorized(): UnauthorizedException {
  return new UnauthorizedException('A valid "Authorization: Bearer <token>" header is required: the ADMIN_TOKEN or an API token');
}
