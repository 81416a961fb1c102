import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Response } from 'express';
import { ApiExclude, docsAsset, docsPageHtml, type JsonSchema } from '@flotilla/openapi';
import { ingestApiOpenApiDocument } from './ingest-api.openapi';

/** `/openapi.json` (the document, built from the controllers this app runs) and `/docs` (Swagger UI). */
@ApiExclude()
@Controller()
export class OpenApiController {
  private document: JsonSchema | undefined;

  constructor(private readonly discovery: DiscoveryService) {}

  @Get('openapi.json')
  openApi(): JsonSchema {
    this.document ??= ingestApiOpenApiDocument(
      this.discovery
        .getControllers()
        .map((wrapper) => wrapper.metatype)
        .filter(
          (type): type is NonNullable<typeof type> & (new (...args: never[]) => unknown) =>
            typeof type === 'function',
        ),
    );
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    return docsPageHtml({
      title: 'Flotilla API',
      specUrl: '/openapi.json',
      assetsPath: '/docs/assets',
    });
  }

  @Get('docs/assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = docsAsset(name);
    if (!asset) throw new NotFoundException();
    response.setHeader('cache-control', 'public, max-age=3600');
    response.type(asset.contentType).send(asset.body);
  }
}
