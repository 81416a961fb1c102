import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  overviewQuerySchema,
  projectOverviewResponseSchema,
  type OverviewQuery,
  type ProjectOverviewResponse,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { ProjectOverviewService } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { ValidQuery } from '../http/json-body';

/** Not Convoy's: the dashboard's project overview (success ratio, latency, failing endpoints). */
@Controller('api/v1/projects/:projectID/overview')
@UseGuards(ProjectGuard)
export class OverviewController {
  constructor(private readonly overview: ProjectOverviewService) {}

  @ApiOperation({
    summary: 'Delivery health over a window (default: the last 24 hours)',
    data: projectOverviewResponseSchema,
  })
  @Get()
  async get(
    @Param('projectID') projectId: string,
    @ValidQuery(overviewQuerySchema) query: OverviewQuery,
  ): Promise<Envelope<ProjectOverviewResponse>> {
    return ok('Project overview fetched successfully', await this.overview.get(projectId, query));
  }
}
