import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  eventTypeListSchema,
  portalSelfResponseSchema,
  type EventTypeResponse,
  type PortalSelfResponse,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { PortalService, presentEventType, type PortalScope } from '@flotilla/management';
import { ok, type Envelope } from '../http/envelope';
import { Portal, PortalGuard } from '../http/portal.guard';

/** The portal's own link (what it may do) and the project's event-type catalog. */
@Controller('portal-api')
@UseGuards(PortalGuard)
export class PortalCatalogController {
  constructor(private readonly portal: PortalService) {}

  @ApiOperation({
    summary: "The portal link's name and permissions",
    data: portalSelfResponseSchema,
  })
  @Get('portal_link')
  async self(@Portal() scope: PortalScope): Promise<Envelope<PortalSelfResponse>> {
    return ok('Portal link fetched successfully', {
      uid: scope.linkId,
      name: scope.name,
      owner_id: scope.ownerId ?? '',
      can_manage_endpoint: scope.canManageEndpoint,
      endpoint_count: (await this.portal.reachable(scope)).length,
    });
  }

  @ApiOperation({ summary: "The project's event types", data: eventTypeListSchema })
  @Get('event-types')
  async eventTypes(@Portal() scope: PortalScope): Promise<Envelope<EventTypeResponse[]>> {
    const types = await this.portal.eventTypeCatalog(scope);
    return ok('Event types fetched successfully', types.map(presentEventType));
  }
}
