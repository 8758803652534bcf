import type { DynamicModule } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { IsOptional, IsString, MinLength } from 'class-validator';

/**
 * The ADMIN_TOKEN, wired one way in every service: its setting in the environment class (required where the service
 * is administered through it, optional where it only guards extra routes), ApiAccessModule.forRoot({ adminToken })
 * that checks it (with the scoped tokens) on the routes' @AdminOnly / @RequireScope, and onlyWithAdminToken() for
 * the routes that exist only when one is set.
 */

const TOKEN_RULES = [IsString(), MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })];

/** ADMIN_TOKEN of an environment class, required: the service does not start without it. */
export function AdminTokenSetting(): PropertyDecorator {
  return applyDecorators(...TOKEN_RULES);
}

/** ADMIN_TOKEN of an environment class where it only guards optional routes; when unset they do not exist. */
export function OptionalAdminTokenSetting(): PropertyDecorator {
  return applyDecorators(IsOptional(), ...TOKEN_RULES);
}

/**
 * A module of routes that exist only when an ADMIN_TOKEN is set: without one it registers nothing (no controllers,
 * providers or imports), so its routes answer 404 and nothing behind them starts.
 */
export function onlyWithAdminToken(adminToken: string | undefined, definition: DynamicModule): DynamicModule {
  return adminToken ? definition : { module: definition.module };
}
