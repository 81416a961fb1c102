import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createEndpointBodySchema,
  expireSecretBodySchema,
  type CreateEndpointBody,
  type ExpireSecretBody,
  type UpdateEndpointBody,
  updateEndpointBodySchema,
  endpointPageSchema,
  endpointResponseSchema,
  type EndpointResponse,
  type Page,
  endpointListQuerySchema,
  type EndpointListQuery,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { EndpointsService, presentEndpoint, presentPage } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects/:projectID/endpoints')
@UseGuards(ProjectGuard)
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @ApiOperation({ summary: 'Create an endpoint', data: endpointResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createEndpointBodySchema) body: ParsedBody<CreateEndpointBody>,
  ): Promise<Envelope<EndpointResponse>> {
    return ok(
      'Endpoint created successfully',
      presentEndpoint(await this.endpoints.create(projectId, body.value)),
    );
  }

  @ApiOperation({ summary: 'List endpoints', data: endpointPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(endpointListQuerySchema) query: EndpointListQuery,
  ): Promise<Envelope<Page<EndpointResponse>>> {
    const page = await this.endpoints.list(projectId, query);
    return ok('Endpoints fetched successfully', presentPage(page, query.perPage, presentEndpoint));
  }

  @ApiOperation({ summary: 'Get an endpoint', data: endpointResponseSchema })
  @Get(':endpointID')
  async get(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
  ): Promise<Envelope<EndpointResponse>> {
    return ok(
      'Endpoint fetched successfully',
      presentEndpoint(await this.endpoints.get(projectId, id)),
    );
  }

  @ApiOperation({
    summary: "Roll an endpoint's secret (the old one signs until it expires)",
    data: endpointResponseSchema,
  })
  @Put(':endpointID/expire_secret')
  async expireSecret(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
    @JsonBody(expireSecretBodySchema) body: ParsedBody<ExpireSecretBody>,
  ): Promise<Envelope<EndpointResponse>> {
    return ok(
      'Endpoint secret expired successfully',
      presentEndpoint(await this.endpoints.expireSecret(projectId, id, body.value)),
    );
  }

  @ApiOperation({ summary: 'Update an endpoint', data: endpointResponseSchema })
  @Put(':endpointID')
  // Convoy answers 202 Accepted (api/handlers).
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
    @JsonBody(updateEndpointBodySchema) body: ParsedBody<UpdateEndpointBody>,
  ): Promise<Envelope<EndpointResponse>> {
    return ok(
      'Endpoint updated successfully',
      presentEndpoint(await this.endpoints.update(projectId, id, body.value)),
    );
  }

  /** Soft delete: its subscriptions go too, and its pending deliveries end Discarded. */
  @ApiOperation({ summary: 'Delete an endpoint' })
  @Delete(':endpointID')
  async remove(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
  ): Promise<Envelope<null>> {
    await this.endpoints.delete(projectId, id);
    return ok('Endpoint deleted successfully', null);
  }

  /** Convoy's toggle: active → paused, paused → active (an inactive endpoint is 409: use activate). */
  @ApiOperation({ summary: 'Pause or unpause an endpoint', data: endpointResponseSchema })
  @Put(':endpointID/pause')
  // Convoy answers 202 Accepted (api/handlers).
  @HttpCode(202)
  async togglePause(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
  ): Promise<Envelope<EndpointResponse>> {
    const endpoint = await this.endpoints.togglePause(projectId, id);
    return ok(
      endpoint.status === 'paused'
        ? 'Endpoint paused successfully'
        : 'Endpoint unpaused successfully',
      presentEndpoint(endpoint),
    );
  }

  @ApiOperation({ summary: 'Activate an endpoint', data: endpointResponseSchema })
  @Post(':endpointID/activate')
  // Convoy answers 202 Accepted (api/handlers/endpoint.go, ActivateEndpoint).
  @HttpCode(202)
  async activate(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
  ): Promise<Envelope<EndpointResponse>> {
    return ok(
      'Endpoint activated successfully',
      presentEndpoint(await this.endpoints.activate(projectId, id)),
    );
  }
}
