import { Injectable } from '@nestjs/common';
import {
  newId,
  UUID_PATTERN,
  type CreateSubscriptionBody,
  type TestFilterBody,
  type UpdateSubscriptionBody,
  type SubscriptionListQuery,
} from '@flotilla/contracts';
import {
  EndpointRepository,
  SourceRepository,
  SubscriptionRepository,
  type Endpoint,
  type PageResult,
  type Subscription,
} from '@flotilla/db';
import {
  compileFilter,
  compileHeadersFilter,
  FilterSyntaxError,
  matchesSubscription,
} from '@flotilla/filters';
import { ManagementError } from './management-error';
import { toCursor } from './event-log.service';

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly endpoints: EndpointRepository,
    private readonly sources: SourceRepository,
  ) {}

  async create(projectId: string, body: CreateSubscriptionBody): Promise<Subscription> {
    const endpoint = await this.endpointOf(projectId, body.endpoint_id);
    // Tenancy: a source of another project is as unknown here as a missing one.
    if (body.source_id !== undefined) {
      const source = UUID_PATTERN.test(body.source_id)
        ? await this.sources.findById(projectId, body.source_id)
        : null;
      if (!source)
        throw new ManagementError(
          'not_found',
          `source_id: source ${body.source_id} not found`,
          'source_id',
        );
    }
    assertFilters('filter_config.filter', body.filter_config.filter);
    return this.subscriptions.create({
      id: newId(),
      projectId,
      name: body.name,
      endpointId: endpoint.id,
      sourceId: body.source_id ?? null,
      eventTypes: body.filter_config.event_types,
      filterHeaders: body.filter_config.filter.headers,
      filterBody: body.filter_config.filter.body,
      deliveryMode: body.delivery_mode,
    });
  }

  /** Absent fields keep their value; each filter part given (event types, headers, body) replaces its own. */
  async update(projectId: string, id: string, body: UpdateSubscriptionBody): Promise<Subscription> {
    const subscription = await this.get(projectId, id);
    const endpoint =
      body.endpoint_id === undefined
        ? undefined
        : await this.endpointOf(projectId, body.endpoint_id);
    if (body.source_id !== undefined && body.source_id !== null) {
      const source = UUID_PATTERN.test(body.source_id)
        ? await this.sources.findById(projectId, body.source_id)
        : null;
      if (!source)
        throw new ManagementError(
          'not_found',
          `source_id: source ${body.source_id} not found`,
          'source_id',
        );
    }
    const filter = body.filter_config?.filter;
    if (filter) assertFilters('filter_config.filter', filter);
    const updated = await this.subscriptions.update(projectId, subscription.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(endpoint ? { endpointId: endpoint.id } : {}),
      ...(body.source_id !== undefined ? { sourceId: body.source_id } : {}),
      ...(body.filter_config?.event_types ? { eventTypes: body.filter_config.event_types } : {}),
      ...(filter?.headers ? { filterHeaders: filter.headers } : {}),
      ...(filter?.body ? { filterBody: filter.body } : {}),
      ...(body.delivery_mode ? { deliveryMode: body.delivery_mode } : {}),
    });
    if (!updated) throw new ManagementError('not_found', `subscription ${id} not found`);
    return updated;
  }

  async delete(projectId: string, id: string): Promise<void> {
    const subscription = await this.get(projectId, id);
    if (!(await this.subscriptions.softDelete(projectId, subscription.id))) {
      throw new ManagementError('not_found', `subscription ${id} not found`);
    }
  }

  /** active ↔ inactive. An inactive subscription routes nothing (within the routing cache's second). */
  async toggleStatus(projectId: string, id: string): Promise<Subscription> {
    const subscription = await this.get(projectId, id);
    const status = subscription.status === 'active' ? 'inactive' : 'active';
    const updated = await this.subscriptions.update(projectId, subscription.id, { status });
    if (!updated) throw new ManagementError('not_found', `subscription ${id} not found`);
    return updated;
  }

  /**
   * Convoy's test_filter: whether a sample request (body, headers) passes the given filters, with
   * the same matcher the route stage uses. An invalid filter is a 400 naming the field.
   */
  testFilter(body: TestFilterBody): boolean {
    assertFilters('schema', { headers: body.schema.headers, body: body.schema.body ?? {} });
    return matchesSubscription(
      { headersFilter: body.schema.headers, bodyFilter: body.schema.body },
      { eventType: '', headers: body.request.headers, body: body.request.body },
    );
  }

  async get(projectId: string, id: string): Promise<Subscription> {
    const subscription = UUID_PATTERN.test(id)
      ? await this.subscriptions.findById(projectId, id)
      : null;
    if (!subscription) throw new ManagementError('not_found', `subscription ${id} not found`);
    return subscription;
  }

  list(projectId: string, query: SubscriptionListQuery): Promise<PageResult<Subscription>> {
    return this.subscriptions.page(projectId, toCursor(query), {
      endpointIds: query.endpointId,
      name: query.name,
    });
  }

  /** The endpoints of these subscriptions, in one query (for their `endpoint_metadata`). */
  async endpointsOf(
    projectId: string,
    subscriptions: readonly Subscription[],
  ): Promise<ReadonlyMap<string, Endpoint>> {
    const endpoints = await this.endpoints.findManyByIds(
      projectId,
      subscriptions.map((subscription) => subscription.endpointId),
    );
    return new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
  }

  private async endpointOf(projectId: string, endpointId: string): Promise<Endpoint> {
    const endpoint = UUID_PATTERN.test(endpointId)
      ? await this.endpoints.findById(projectId, endpointId)
      : null;
    if (!endpoint) {
      throw new ManagementError(
        'not_found',
        `endpoint_id: endpoint ${endpointId} not found`,
        'endpoint_id',
      );
    }
    return endpoint;
  }
}

/** Compiles each filter part given; a FilterSyntaxError becomes a 400 naming `<prefix>.<part>`. */
function assertFilters(prefix: string, filter: { headers?: unknown; body?: unknown }): void {
  for (const part of ['headers', 'body'] as const) {
    if (filter[part] === undefined) continue;
    try {
      if (part === 'headers') compileHeadersFilter(filter[part]);
      else compileFilter(filter[part]);
    } catch (error) {
      if (error instanceof FilterSyntaxError) {
        throw new ManagementError(
          'validation',
          `${prefix}.${part}: ${error.message}`,
          `${prefix}.${part}`,
        );
      }
      throw error;
    }
  }
}
