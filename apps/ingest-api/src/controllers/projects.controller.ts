import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createProjectBodySchema,
  projectConfigSchema,
  updateProjectBodySchema,
  type CreateProjectBody,
  type UpdateProjectBody,
} from '@flotilla/contracts';
import { presentProject, ProjectSettingsService, ProjectsService } from '@flotilla/management';
import { AdminGuard, ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly settings: ProjectSettingsService,
  ) {}

  @Post()
  @HttpCode(201)
  @UseGuards(AdminGuard)
  async create(
    @JsonBody(createProjectBodySchema) body: ParsedBody<CreateProjectBody>,
  ): Promise<Envelope<unknown>> {
    this.settings.validateConfig(projectConfigSchema.parse(body.value.config));
    return ok('Project created successfully', await this.projects.create(body.value));
  }

  @Get()
  @UseGuards(AdminGuard)
  async list(): Promise<Envelope<unknown>> {
    return ok('Projects fetched successfully', (await this.projects.list()).map(presentProject));
  }

  @Get(':projectID')
  @UseGuards(ProjectGuard)
  async get(@Param('projectID') projectId: string): Promise<Envelope<unknown>> {
    return ok('Project fetched successfully', presentProject(await this.projects.get(projectId)));
  }

  /** Name and config; `config` is merged into the stored one and validated whole. */
  @Put(':projectID')
  // Convoy answers 202 Accepted (api/handlers/project.go, UpdateProject).
  @HttpCode(202)
  @UseGuards(ProjectGuard)
  async update(
    @Param('projectID') projectId: string,
    @JsonBody(updateProjectBodySchema) body: ParsedBody<UpdateProjectBody>,
  ): Promise<Envelope<unknown>> {
    return ok(
      'Project updated successfully',
      presentProject(await this.settings.update(projectId, body.value)),
    );
  }

  /** Instance admin only. Soft delete: 404 afterwards, its keys stop working, nothing more is delivered. */
  @Delete(':projectID')
  @UseGuards(AdminGuard)
  async remove(@Param('projectID') projectId: string): Promise<Envelope<unknown>> {
    await this.settings.delete(projectId);
    return ok('Project deleted successfully', null);
  }
}
