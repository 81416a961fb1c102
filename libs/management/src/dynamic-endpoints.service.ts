import { Inject, Injectable } from '@nestjs/common';
import { newId, type CreateDynamicEventBody } from '@flotilla/contracts';
import { DynamicEndpointRepository, type DynamicEndpoint } from '@flotilla/db';
import { EgressPolicy, validateEndpointUrl } from '@flotilla/egress';
import { EGRESS_POLICY, EndpointsService } from './endpoints.service';
import { ManagementError } from './management-error';

/**
 * `POST /events/dynamic`: the endpoint for a URL, found or made with a subscription, so the event
 * can be sent to it like any single-endpoint event. The URL passes the same egress (SSRF) policy as
 * endpoint creation, and is normalised first, so spellings of one URL share one endpoint.
 */
@Injectable()
export class DynamicEndpointsService {
  constructor(
    private readonly dynamic: DynamicEndpointRepository,
    private readonly endpoints: EndpointsService,
    @Inject(EGRESS_POLICY) private readonly egress: EgressPolicy,
  ) {}

  async resolve(
    projectId: string,
    body: Pick<CreateDynamicEventBody, 'url' | 'secret' | 'event_types'>,
  ): Promise<DynamicEndpoint> {
    const validation = validateEndpointUrl(body.url, this.egress);
    if (!validation.valid)
      throw new ManagementError('validation', `url: ${validation.reason}`, 'url');
    // Made even when the endpoint exists: it also checks a given secret against the project's format.
    const secret = await this.endpoints.newSecret(projectId, body.secret);
    return this.dynamic.findOrCreate({
      projectId,
      url: validation.url.toString(),
      newEndpointId: newId(),
      newSecret: secret,
      newSubscriptionId: newId(),
      eventTypes: body.event_types ? [...new Set(body.event_types)] : undefined,
    });
  }
}
