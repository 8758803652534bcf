import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ACCESS_RULE, PUBLIC_ROUTE } from './access-decision.js';

/**
 * Refuses to start a service with an HTTP route that says nothing about who may call it. A route without a rule
 * would be open to anyone (a handler added to a controller whose guard sits on each handler, say), so it is a
 * programming error, caught at start in every test that boots the service rather than in production.
 */
@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const unguarded = this.discovery.getControllers().flatMap(({ metatype, instance }) => {
      if (!metatype || !instance) return [];
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name];
        if (typeof handler !== 'function') return [];
        const isHttpRoute = Reflect.getMetadata(PATH_METADATA, handler) !== undefined && Reflect.getMetadata(METHOD_METADATA, handler) !== undefined;
        if (!isHttpRoute) return [];
        const declared = [ACCESS_RULE, PUBLIC_ROUTE].some((key) => Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, metatype) !== undefined);
        return declared ? [] : [`${metatype.name}.${name}`];
      });
    });
    if (unguarded.length > 0) {
      throw new Error(`HTTP routes without an access rule (@RequireScope, @AdminOnly, @AnyToken or @PublicRoute): ${unguarded.join(', ')}`);
    }
  }
}
