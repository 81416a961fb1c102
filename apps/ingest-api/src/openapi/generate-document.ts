import type { IngestApiEnv } from '@flotilla/contracts';
import { moduleControllers, type JsonSchema } from '@flotilla/openapi';
import type { Logger } from '@flotilla/observability';
import { IngestApiModule } from '../ingest-api.module';
import { ingestApiOpenApiDocument } from './ingest-api.openapi';

/**
 * The document without starting the service: the controllers come from the module definition
 * (`forRoot` only builds a description; its configuration is used by factories that never run here).
 */
export function generateIngestApiOpenApi(): JsonSchema {
  const definition = IngestApiModule.forRoot({} as IngestApiEnv, {} as Logger);
  return ingestApiOpenApiDocument(moduleControllers(definition));
}

/** The document as committed in docs/openapi.json. */
export function openApiJson(document: JsonSchema = generateIngestApiOpenApi()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
