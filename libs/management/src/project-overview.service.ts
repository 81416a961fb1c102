import { Injectable } from '@nestjs/common';
import type { OverviewQuery, ProjectOverviewResponse } from '@flotilla/contracts';
import { OverviewRepository } from '@flotilla/db';
import { EventLogService } from './event-log.service';
import { ProjectsService } from './projects.service';

const DAY_MS = 24 * 3600 * 1000;
const FAILING_ENDPOINTS_SHOWN = 10;

/**
 * A project at a glance for the dashboard: deliveries per status, the success ratio, latency
 * percentiles and the endpoints that fail, over a window (by default the last 24 hours).
 */
@Injectable()
export class ProjectOverviewService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly overview: OverviewRepository,
    private readonly eventLog: EventLogService,
  ) {}

  async get(projectId: string, query: OverviewQuery): Promise<ProjectOverviewResponse> {
    await this.projects.get(projectId);
    const end = query.endDate ? new Date(query.endDate) : new Date();
    const start = query.startDate ? new Date(query.startDate) : new Date(end.getTime() - DAY_MS);
    const [totals, latency, failing] = await Promise.all([
      this.eventLog.statusTotals(projectId, {
        startDate: start.toISOString(),
        endDate: end.toISOString(),
      }),
      this.overview.latency(projectId, start, end),
      this.overview.failingEndpoints(projectId, start, end, FAILING_ENDPOINTS_SHOWN),
    ]);
    const finished = totals.Success + totals.Failure;
    return {
      window: { start: start.toISOString(), end: end.toISOString() },
      deliveries: totals,
      success_ratio: finished === 0 ? null : totals.Success / finished,
      latency_ms: latency,
      failing_endpoints: failing.map((endpoint) => ({
        uid: endpoint.id,
        name: endpoint.name,
        url: endpoint.url,
        status: endpoint.status,
        disabled_reason: endpoint.disabledReason ?? '',
        failing: endpoint.failing,
        total: endpoint.total,
      })),
    };
  }
}
