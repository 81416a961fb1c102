import { Inject, Injectable } from '@nestjs/common';
import {
  META_EVENT_TYPES,
  projectConfigSchema,
  UUID_PATTERN,
  type MetaEventListQuery,
  type MetaEventType,
} from '@flotilla/contracts';
import { META_EVENTS, MetaEventQueue } from '@flotilla/delivery';
import {
  MetaEventRepository,
  ProjectRepository,
  type MetaEvent,
  type PageResult,
} from '@flotilla/db';
import { toCursor } from './event-log.service';
import { ManagementError } from './management-error';

/** Convoy's meta event log: what was sent to the project's meta URL, and resending it. */
@Injectable()
export class MetaEventsService {
  constructor(
    private readonly metaEvents: MetaEventRepository,
    private readonly projects: ProjectRepository,
    @Inject(META_EVENTS) private readonly queue: MetaEventQueue,
  ) {}

  list(projectId: string, query: MetaEventListQuery): Promise<PageResult<MetaEvent>> {
    return this.metaEvents.page(projectId, toCursor(query), {
      startDate: query.startDate ? new Date(query.startDate) : undefined,
      endDate: query.endDate ? new Date(query.endDate) : undefined,
    });
  }

  async get(projectId: string, id: string): Promise<MetaEvent> {
    const found = UUID_PATTERN.test(id) ? await this.metaEvents.findById(projectId, id) : null;
    if (!found) throw new ManagementError('not_found', `meta event ${id} not found`);
    return found;
  }

  /** Sends it again now (Convoy's `ResendMetaEvent`), with the project's current meta settings. */
  async resend(projectId: string, id: string): Promise<MetaEvent> {
    const event = await this.get(projectId, id);
    const project = await this.projects.findById(projectId);
    if (!project) throw new ManagementError('not_found', `project ${projectId} not found`);
    const outcome = await this.queue.resend(
      projectConfigSchema.parse(project.config),
      metaEventType(event.eventType),
      event.id,
      event.payload,
    );
    const updated = await this.metaEvents.recordResend(projectId, id, outcome);
    if (!updated) throw new ManagementError('not_found', `meta event ${id} not found`);
    return updated;
  }
}

function metaEventType(stored: string): MetaEventType {
  const known = META_EVENT_TYPES.find((type) => type === stored);
  if (!known) throw new ManagementError('conflict', `meta event type ${stored} is not known`);
  return known;
}
