import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createApiKeyBodySchema,
  pageQuerySchema,
  type CreateApiKeyBody,
  type PageQuery,
  type ApiKeyResponse,
  type CreatedApiKeyResponse,
  type Page,
  apiKeyPageSchema,
  apiKeyResponseSchema,
  createdApiKeyResponseSchema,
} from '@flotilla/contracts';
import { ApiKeysService, presentApiKey, presentPage, toCursor } from '@flotilla/management';
import { ApiOperation } from '@flotilla/openapi';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';

/**
 * A project's API keys, managed with the admin token or any live key of the same project (keys
 * have no roles). The secret is in the create answer only; lists show the prefix.
 */
@Controller('api/v1/projects/:projectID/keys')
@UseGuards(ProjectGuard)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @ApiOperation({
    summary: 'Create an API key (the key is shown only in this answer)',
    data: createdApiKeyResponseSchema,
  })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createApiKeyBodySchema) body: ParsedBody<CreateApiKeyBody>,
  ): Promise<Envelope<CreatedApiKeyResponse>> {
    return ok('API key created successfully', await this.keys.create(projectId, body.value));
  }

  @ApiOperation({ summary: 'List API keys', data: apiKeyPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(pageQuerySchema) query: PageQuery,
  ): Promise<Envelope<Page<ApiKeyResponse>>> {
    const page = await this.keys.list(projectId, toCursor(query));
    return ok('API keys fetched successfully', presentPage(page, query.perPage, presentApiKey));
  }

  @ApiOperation({ summary: 'Get an API key', data: apiKeyResponseSchema })
  @Get(':keyID')
  async get(
    @Param('projectID') projectId: string,
    @Param('keyID') id: string,
  ): Promise<Envelope<ApiKeyResponse>> {
    return ok('API key fetched successfully', presentApiKey(await this.keys.get(projectId, id)));
  }

  /** The key stops working at once on this replica, within seconds on the others; it stays listed. */
  @ApiOperation({ summary: 'Revoke an API key', data: apiKeyResponseSchema })
  @Put(':keyID/revoke')
  async revoke(
    @Param('projectID') projectId: string,
    @Param('keyID') id: string,
  ): Promise<Envelope<ApiKeyResponse>> {
    return ok('API key revoked successfully', presentApiKey(await this.keys.revoke(projectId, id)));
  }
}
