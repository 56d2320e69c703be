// GET /api/openapi.json: the OpenAPI document of this API (openapi-document.ts).
import type { HttpServer } from '../server.ts';
import { VERSION } from '../version.ts';
import { openApiDocument } from './openapi-document.ts';

export function registerOpenApiRoutes(server: HttpServer): void {
  const document = openApiDocument(VERSION);
  server.route({ method: 'GET', path: '/api/openapi.json', handler: () => ({ json: document }) });
}
