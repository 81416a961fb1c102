import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import {
  createSourceBodySchema,
  ingestFailureListQuerySchema,
  sourceListQuerySchema,
  updateSourceBodySchema,
  type CreateSourceBody,
  type IngestFailureListQuery,
  type SourceListQuery,
  type UpdateSourceBody,
  type IngestFailureResponse,
  type Page,
  type SourceResponse,
  ingestFailurePageSchema,
  sourcePageSchema,
  sourceResponseSchema,
} from '@flotilla/contracts';
import {
  IngestFailuresService,
  presentIngestFailure,
  presentPage,
  presentSource,
  SourcesService,
} from '@flotilla/management';
import { ApiOperation } from '@flotilla/openapi';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { Origin, PUBLIC_URL, publicBaseUrl, type RequestOrigin } from '../http/public-url';

@Controller('api/v1/projects/:projectID/sources')
@UseGuards(ProjectGuard)
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly failures: IngestFailuresService,
    @Inject(PUBLIC_URL) private readonly publicUrl: string | undefined,
  ) {}

  /** Where senders reach this API: a source's `url` is `<base>/ingest/<mask_id>`. */
  private baseUrl(origin: RequestOrigin): string {
    return publicBaseUrl(this.publicUrl, origin.host, origin.forwardedProto);
  }

  @ApiOperation({ summary: 'Create a source', data: sourceResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createSourceBodySchema) body: ParsedBody<CreateSourceBody>,
    @Origin() origin: RequestOrigin,
  ): Promise<Envelope<SourceResponse>> {
    return ok(
      'Source created successfully',
      presentSource(await this.sources.create(projectId, body.value), this.baseUrl(origin)),
    );
  }

  @ApiOperation({ summary: 'List sources', data: sourcePageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(sourceListQuerySchema) query: SourceListQuery,
    @Origin() origin: RequestOrigin,
  ): Promise<Envelope<Page<SourceResponse>>> {
    const page = await this.sources.list(projectId, query);
    const baseUrl = this.baseUrl(origin);
    return ok(
      'Sources fetched successfully',
      presentPage(page, query.perPage, (source) => presentSource(source, baseUrl)),
    );
  }

  @ApiOperation({ summary: 'Get a source', data: sourceResponseSchema })
  @Get(':sourceID')
  async get(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @Origin() origin: RequestOrigin,
  ): Promise<Envelope<SourceResponse>> {
    return ok(
      'Source fetched successfully',
      presentSource(await this.sources.get(projectId, id), this.baseUrl(origin)),
    );
  }

  /** Takes effect in the ingesters within one refresh (SOURCES_REFRESH_MS). */
  @ApiOperation({ summary: 'Update a source', data: sourceResponseSchema })
  @Put(':sourceID')
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @JsonBody(updateSourceBodySchema) body: ParsedBody<UpdateSourceBody>,
    @Origin() origin: RequestOrigin,
  ): Promise<Envelope<SourceResponse>> {
    return ok(
      'Source updated successfully',
      presentSource(await this.sources.update(projectId, id, body.value), this.baseUrl(origin)),
    );
  }

  @ApiOperation({ summary: 'Delete a source' })
  @Delete(':sourceID')
  async remove(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
  ): Promise<Envelope<null>> {
    await this.sources.delete(projectId, id);
    return ok('Source deleted successfully', null);
  }

  /** The source's invalid broker messages, newest first, with the reason for each. */
  @ApiOperation({
    summary: "List a source's invalid broker messages",
    data: ingestFailurePageSchema,
  })
  @Get(':sourceID/failures')
  async listFailures(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @ValidQuery(ingestFailureListQuerySchema) query: IngestFailureListQuery,
  ): Promise<Envelope<Page<IngestFailureResponse>>> {
    const source = await this.sources.get(projectId, id);
    const page = await this.failures.list(projectId, { ...query, sourceId: source.id });
    return ok(
      'Ingest failures fetched successfully',
      presentPage(page, query.perPage, presentIngestFailure),
    );
  }
}
