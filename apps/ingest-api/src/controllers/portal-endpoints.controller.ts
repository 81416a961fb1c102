import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  expireSecretBodySchema,
  pageQuerySchema,
  pageSchema,
  portalCreateEndpointBodySchema,
  portalEndpointResponseSchema,
  portalUpdateEndpointBodySchema,
  type ExpireSecretBody,
  type PageQuery,
  type PortalCreateEndpointBody,
  type PortalUpdateEndpointBody,
  type Page,
  type PortalEndpointResponse,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import {
  PortalService,
  presentPage,
  presentPortalEndpoint,
  type PortalScope,
} from '@flotilla/management';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { Portal, PortalGuard } from '../http/portal.guard';

/**
 * The customer's endpoints. Changes need the link's `can_manage_endpoint` (else 403); an endpoint
 * outside the link's scope is 404, as if it did not exist.
 */
@Controller('portal-api/endpoints')
@UseGuards(PortalGuard)
export class PortalEndpointsController {
  constructor(private readonly portal: PortalService) {}

  @ApiOperation({
    summary: "List the portal's endpoints",
    data: pageSchema(portalEndpointResponseSchema),
  })
  @Get()
  async list(
    @Portal() scope: PortalScope,
    @ValidQuery(pageQuerySchema) query: PageQuery,
  ): Promise<Envelope<Page<PortalEndpointResponse>>> {
    const page = await this.portal.listEndpoints(scope, query);
    return ok(
      'Endpoints fetched successfully',
      presentPage(page, query.perPage, presentPortalEndpoint),
    );
  }

  @ApiOperation({ summary: 'Get an endpoint of the portal', data: portalEndpointResponseSchema })
  @Get(':endpointID')
  async get(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
  ): Promise<Envelope<PortalEndpointResponse>> {
    return ok(
      'Endpoint fetched successfully',
      presentPortalEndpoint(await this.portal.getEndpoint(scope, id)),
    );
  }

  @ApiOperation({
    summary: 'Create an endpoint (owned by the link)',
    data: portalEndpointResponseSchema,
  })
  @Post()
  @HttpCode(201)
  async create(
    @Portal() scope: PortalScope,
    @JsonBody(portalCreateEndpointBodySchema) body: ParsedBody<PortalCreateEndpointBody>,
  ): Promise<Envelope<PortalEndpointResponse>> {
    return ok(
      'Endpoint created successfully',
      presentPortalEndpoint(await this.portal.createEndpoint(scope, body.value)),
    );
  }

  @ApiOperation({ summary: "Roll an endpoint's secret", data: portalEndpointResponseSchema })
  @Put(':endpointID/expire_secret')
  async expireSecret(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
    @JsonBody(expireSecretBodySchema) body: ParsedBody<ExpireSecretBody>,
  ): Promise<Envelope<PortalEndpointResponse>> {
    return ok(
      'Endpoint secret expired successfully',
      presentPortalEndpoint(await this.portal.expireSecret(scope, id, body.value)),
    );
  }

  @ApiOperation({ summary: 'Pause or unpause an endpoint', data: portalEndpointResponseSchema })
  @Put(':endpointID/pause')
  @HttpCode(202)
  async togglePause(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
  ): Promise<Envelope<PortalEndpointResponse>> {
    const endpoint = await this.portal.togglePause(scope, id);
    return ok(
      endpoint.status === 'paused'
        ? 'Endpoint paused successfully'
        : 'Endpoint unpaused successfully',
      presentPortalEndpoint(endpoint),
    );
  }

  @ApiOperation({ summary: 'Update an endpoint', data: portalEndpointResponseSchema })
  @Put(':endpointID')
  @HttpCode(202)
  async update(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
    @JsonBody(portalUpdateEndpointBodySchema) body: ParsedBody<PortalUpdateEndpointBody>,
  ): Promise<Envelope<PortalEndpointResponse>> {
    return ok(
      'Endpoint updated successfully',
      presentPortalEndpoint(await this.portal.updateEndpoint(scope, id, body.value)),
    );
  }

  @ApiOperation({ summary: 'Delete an endpoint' })
  @Delete(':endpointID')
  async remove(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
  ): Promise<Envelope<null>> {
    await this.portal.deleteEndpoint(scope, id);
    return ok('Endpoint deleted successfully', null);
  }
}
