import type { Type } from '@nestjs/common';
import * as contracts from '@flotilla/contracts';
import { buildOpenApiDocument, namedSchemas, type JsonSchema } from '@flotilla/openapi';
import { AdminGuard, ProjectGuard } from '../http/auth.guard';
import { PortalGuard } from '../http/portal.guard';

/** Operational endpoints (probes, Prometheus) are not part of the API document. */
export function isApiPath(path: string): boolean {
  return !/^\/(health|metrics)(\/|$)/.test(path);
}

/**
 * The ingest-api's OpenAPI document, from its controllers' route metadata and the zod schemas in
 * libs/contracts (whose export names name the components). `/openapi.json` serves it and
 * `npm run openapi` writes it to docs/openapi.json.
 */
export function ingestApiOpenApiDocument(controllers: readonly Type[]): JsonSchema {
  return buildOpenApiDocument({
    info: {
      title: 'Flotilla API',
      version: '1.0.0',
      description:
        'The management and ingest API of Flotilla, a Convoy-compatible webhooks gateway. Every answer is an envelope ' +
        '`{status, message, data}`; lists are cursor-paginated (`perPage`, `next_page_cursor`, `prev_page_cursor`).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'This Flotilla instance' }],
    controllers,
    names: namedSchemas([contracts]),
    securitySchemes: {
      projectApiKey: {
        type: 'http',
        scheme: 'bearer',
        description: "A project's API key: it reaches that project's routes only.",
      },
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        description:
          'The instance admin token (FLOTILLA_ADMIN_TOKEN): creates projects, reaches every project.',
      },
      portalToken: {
        type: 'http',
        scheme: 'bearer',
        description:
          "A portal link's token: the /portal-api routes only, confined to the link's endpoints.",
      },
      portalTokenQuery: {
        type: 'apiKey',
        in: 'query',
        name: 'token',
        description: "A portal link's token as `?token=` (how the portal URL carries it).",
      },
    },
    security: (guards): Record<string, string[]>[] => {
      if (guards.includes(AdminGuard)) return [{ adminToken: [] }];
      if (guards.includes(ProjectGuard)) return [{ projectApiKey: [] }, { adminToken: [] }];
      if (guards.includes(PortalGuard)) return [{ portalToken: [] }, { portalTokenQuery: [] }];
      return [];
    },
    errorSchema: contracts.errorEnvelopeSchema,
    include: isApiPath,
    // A recursive union that TypeScript generators cannot type; "any JSON" is what it means.
    replace: {
      JsonValue: { description: 'Any JSON value: object, array, string, number, boolean or null.' },
    },
  });
}
