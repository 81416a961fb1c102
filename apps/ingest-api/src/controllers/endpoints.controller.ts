import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createEndpointBodySchema,
  expireSecretBodySchema,
  pageQuerySchema,
  type CreateEndpointBody,
  type ExpireSecretBody,
  type PageQuery,
} from '@flotilla/contracts';
import { EndpointsService, presentEndpoint, presentPage, toCursor } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects/:projectID/endpoints')
@UseGuards(ProjectGuard)
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createEndpointBodySchema) body: ParsedBody<CreateEndpointBody>,
  ): Promise<Envelope<unknown>> {
    return ok('Endpoint created successfully', presentEndpoint(await this.endpoints.create(projectId, body.value)));
  }

  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(pageQuerySchema) query: PageQuery,
  ): Promise<Envelope<unknown>> {
    const page = await this.endpoints.list(projectId, toCursor(query));
    return ok('Endpoints fetched successfully', presentPage(page, query.perPage, presentEndpoint));
  }

  @Get(':endpointID')
  async get(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<unknown>> {
    return ok('Endpoint fetched successfully', presentEndpoint(await this.endpoints.get(projectId, id)));
  }

  @Put(':endpointID/expire_secret')
  async expireSecret(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
    @JsonBody(expireSecretBodySchema) body: ParsedBody<ExpireSecretBody>,
  ): Promise<Envelope<unknown>> {
    return ok('Endpoint secret expired successfully', presentEndpoint(await this.endpoints.expireSecret(projectId, id, body.value)));
  }
}
