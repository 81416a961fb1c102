import { Injectable } from '@nestjs/common';
import {
  UUID_PATTERN,
  type DeliveryListQuery,
  type EventListQuery,
  type ExpireSecretBody,
  type PageQuery,
  type PortalCreateEndpointBody,
  type PortalUpdateEndpointBody,
} from '@flotilla/contracts';
import {
  DeliveryRepository,
  EndpointRepository,
  EventRepository,
  type DeliveryAttempt,
  type Endpoint,
  type Event,
  type EventDelivery,
  type EventType,
  type PageResult,
} from '@flotilla/db';
import { DeliveryOperationsService } from './delivery-operations.service';
import { EndpointsService } from './endpoints.service';
import { EventLogService, deliveryFilters, eventFilters, toCursor } from './event-log.service';
import { EventTypesService } from './event-types.service';
import { ManagementError } from './management-error';
import { PortalLinksService, type PortalScope } from './portal-links.service';

const EMPTY_PAGE = { rows: [], hasNext: false, hasPrev: false };

/**
 * The portal's use cases: the management operations, confined to the endpoints a portal link
 * reaches. Every read is filtered by that set in the query itself, and every id from the request is
 * checked against it first: something outside the scope is "not found", exactly like an id that
 * does not exist, so a token learns nothing about other endpoints, events or projects.
 */
@Injectable()
export class PortalService {
  constructor(
    private readonly links: PortalLinksService,
    private readonly endpointsService: EndpointsService,
    private readonly endpoints: EndpointRepository,
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly eventLog: EventLogService,
    private readonly operations: DeliveryOperationsService,
    private readonly eventTypes: EventTypesService,
  ) {}

  /** The endpoints the scope reaches now. */
  reachable(scope: PortalScope): Promise<string[]> {
    return this.links.endpointsOf(scope);
  }

  async listEndpoints(scope: PortalScope, query: PageQuery): Promise<PageResult<Endpoint>> {
    const ids = await this.reachable(scope);
    if (ids.length === 0) return EMPTY_PAGE;
    return this.endpoints.pageAmong(scope.projectId, toCursor(query), ids);
  }

  async getEndpoint(scope: PortalScope, id: string): Promise<Endpoint> {
    await this.assertEndpoint(scope, id);
    return this.endpointsService.get(scope.projectId, id);
  }

  /** Owned by the link's owner (or added to the link's list): the customer cannot pick another. */
  async createEndpoint(scope: PortalScope, body: PortalCreateEndpointBody): Promise<Endpoint> {
    assertCanManage(scope);
    const created = await this.endpointsService.create(scope.projectId, {
      ...body,
      ...(scope.ownerId !== null ? { owner_id: scope.ownerId } : {}),
    });
    await this.links.addEndpoint(scope, created.id);
    return created;
  }

  async updateEndpoint(
    scope: PortalScope,
    id: string,
    body: PortalUpdateEndpointBody,
  ): Promise<Endpoint> {
    await this.assertManaged(scope, id);
    return this.endpointsService.update(scope.projectId, id, body);
  }

  async deleteEndpoint(scope: PortalScope, id: string): Promise<void> {
    await this.assertManaged(scope, id);
    await this.endpointsService.delete(scope.projectId, id);
  }

  async togglePause(scope: PortalScope, id: string): Promise<Endpoint> {
    await this.assertManaged(scope, id);
    return this.endpointsService.togglePause(scope.projectId, id);
  }

  async expireSecret(scope: PortalScope, id: string, body: ExpireSecretBody): Promise<Endpoint> {
    await this.assertManaged(scope, id);
    return this.endpointsService.expireSecret(scope.projectId, id, body);
  }

  /** Events with a delivery to one of the scope's endpoints (`endpointId` narrows, never widens). */
  async listEvents(
    scope: PortalScope,
    query: EventListQuery,
  ): Promise<{ page: PageResult<Event>; reachable: Set<string> }> {
    const reachable = new Set(await this.reachable(scope));
    const ids = narrowed(reachable, query.endpointId);
    if (ids.length === 0) return { page: EMPTY_PAGE, reachable };
    const page = await this.events.page(
      scope.projectId,
      { ...eventFilters({ ...query, endpointId: undefined }), deliveredTo: ids },
      { ...toCursor(query), sort: query.sort },
    );
    return { page, reachable };
  }

  async getEvent(
    scope: PortalScope,
    id: string,
  ): Promise<{ event: Event; reachable: Set<string> }> {
    const reachable = new Set(await this.reachable(scope));
    const delivered =
      reachable.size > 0 && UUID_PATTERN.test(id)
        ? await this.deliveries.page(
            scope.projectId,
            { eventId: id, endpointIds: [...reachable] },
            { perPage: 1, direction: 'next' },
          )
        : EMPTY_PAGE;
    if (delivered.rows.length === 0)
      throw new ManagementError('not_found', `event ${id} not found`);
    return { event: await this.eventLog.getEvent(scope.projectId, id), reachable };
  }

  async listDeliveries(
    scope: PortalScope,
    query: DeliveryListQuery,
  ): Promise<PageResult<EventDelivery>> {
    const ids = narrowed(new Set(await this.reachable(scope)), query.endpointId);
    if (ids.length === 0) return EMPTY_PAGE;
    return this.deliveries.page(
      scope.projectId,
      { ...deliveryFilters(query), endpointIds: ids },
      { ...toCursor(query), sort: query.sort },
    );
  }

  async getDelivery(scope: PortalScope, id: string): Promise<EventDelivery> {
    const delivery = await this.eventLog.getDelivery(scope.projectId, id).catch(() => undefined);
    if (!delivery || !(await this.reachable(scope)).includes(delivery.endpointId)) {
      throw new ManagementError('not_found', `event delivery ${id} not found`);
    }
    return delivery;
  }

  async listAttempts(scope: PortalScope, deliveryId: string): Promise<DeliveryAttempt[]> {
    await this.getDelivery(scope, deliveryId);
    return this.eventLog.listAttempts(scope.projectId, deliveryId);
  }

  async getAttempt(scope: PortalScope, deliveryId: string, id: string): Promise<DeliveryAttempt> {
    await this.getDelivery(scope, deliveryId);
    return this.eventLog.getAttempt(scope.projectId, deliveryId, id);
  }

  async resend(scope: PortalScope, deliveryId: string): Promise<EventDelivery> {
    await this.getDelivery(scope, deliveryId);
    return this.operations.resend(scope.projectId, deliveryId);
  }

  eventTypeCatalog(scope: PortalScope): Promise<EventType[]> {
    return this.eventTypes.list(scope.projectId);
  }

  private async assertEndpoint(scope: PortalScope, id: string): Promise<void> {
    if (!(await this.reachable(scope)).includes(id)) {
      throw new ManagementError('not_found', `endpoint ${id} not found`);
    }
  }

  private async assertManaged(scope: PortalScope, id: string): Promise<void> {
    await this.assertEndpoint(scope, id);
    assertCanManage(scope);
  }
}

function assertCanManage(scope: PortalScope): void {
  if (!scope.canManageEndpoint) {
    throw new ManagementError(
      'forbidden',
      'this portal link may view endpoints but not change them (can_manage_endpoint is off)',
      'can_manage_endpoint',
    );
  }
}

/** The requested endpoints that the scope reaches; all of them when none is requested. */
function narrowed(reachable: ReadonlySet<string>, requested: string[] | undefined): string[] {
  if (requested === undefined) return [...reachable];
  return requested.filter((id) => reachable.has(id));
}
