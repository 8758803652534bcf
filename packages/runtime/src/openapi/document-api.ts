import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { apiDocumentOf } from './api-document.js';

/**
 * Serves the service's API description: Swagger UI at `/docs`, the OpenAPI document at `/docs-json`.
 *
 * Both are public on purpose: the description of the API is no secret (it is kept in the repository, docs/openapi/)
 * and carries no tenant data. They are registered on the HTTP adapter, not as Nest controllers, so RouteAccessCheck
 * does not see them and the access guard never runs for them.
 */
export function documentApi(app: INestApplication, service: string): void {
  const document = apiDocumentOf(app, service);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: `Ensoras ${service} API`,
    swaggerOptions: { persistAuthorization: false, tagsSorter: 'alpha', operationsSorter: 'alpha' },
  });
}
