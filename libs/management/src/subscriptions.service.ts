import { Injectable } from '@nestjs/common';
import { newId, UUID_PATTERN, type CreateSubscriptionBody } from '@flotilla/contracts';
import { EndpointRepository, SubscriptionRepository, type Cursor, type PageResult, type Subscription } from '@flotilla/db';
import { compileFilter, FilterSyntaxError } from '@flotilla/filters';
import { ManagementError } from './management-error';

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly endpoints: EndpointRepository,
  ) {}

  async create(projectId: string, body: CreateSubscriptionBody): Promise<Subscription> {
    const endpoint = UUID_PATTERN.test(body.endpoint_id)
      ? await this.endpoints.findById(projectId, body.endpoint_id)
      : null;
    if (!endpoint) {
      throw new ManagementError('not_found', `endpoint_id: endpoint ${body.endpoint_id} not found`, 'endpoint_id');
    }
    for (const part of ['headers', 'body'] as const) {
      try {
        compileFilter(body.filter_config.filter[part]);
      } catch (error) {
        if (error instanceof FilterSyntaxError) {
          throw new ManagementError('validation', `filter_config.filter.${part}: ${error.message}`, `filter_config.filter.${part}`);
        }
        throw error;
      }
    }
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

  async get(projectId: string, id: string): Promise<Subscription> {
    const subscription = UUID_PATTERN.test(id) ? await this.subscriptions.findById(projectId, id) : null;
    if (!subscription) throw new ManagementError('not_found', `subscription ${id} not found`);
    return subscription;
  }

  list(projectId: string, cursor: Cursor, endpointId?: string): Promise<PageResult<Subscription>> {
    return this.subscriptions.page(projectId, cursor, endpointId);
  }
}
