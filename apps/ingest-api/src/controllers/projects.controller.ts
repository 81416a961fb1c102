import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createProjectBodySchema,
  projectConfigSchema,
  updateProjectBodySchema,
  type CreateProjectBody,
  type UpdateProjectBody,
  type CreatedProjectResponse,
  type ProjectResponse,
  createdProjectResponseSchema,
  projectListSchema,
  projectResponseSchema,
} from '@flotilla/contracts';
import { presentProject, ProjectSettingsService, ProjectsService } from '@flotilla/management';
import { AdminGuard, ProjectGuard } from '../http/auth.guard';
import { ApiOperation } from '@flotilla/openapi';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly settings: ProjectSettingsService,
  ) {}

  @ApiOperation({
    summary: 'Create a project and its first API key',
    data: createdProjectResponseSchema,
  })
  @Post()
  @HttpCode(201)
  @UseGuards(AdminGuard)
  async create(
    @JsonBody(createProjectBodySchema) body: ParsedBody<CreateProjectBody>,
  ): Promise<Envelope<CreatedProjectResponse>> {
    this.settings.validateConfig(projectConfigSchema.parse(body.value.config));
    return ok('Project created successfully', await this.projects.create(body.value));
  }

  @ApiOperation({ summary: 'List projects', data: projectListSchema })
  @Get()
  @UseGuards(AdminGuard)
  async list(): Promise<Envelope<ProjectResponse[]>> {
    return ok('Projects fetched successfully', (await this.projects.list()).map(presentProject));
  }

  @ApiOperation({ summary: 'Get a project', data: projectResponseSchema })
  @Get(':projectID')
  @UseGuards(ProjectGuard)
  async get(@Param('projectID') projectId: string): Promise<Envelope<ProjectResponse>> {
    return ok('Project fetched successfully', presentProject(await this.projects.get(projectId)));
  }

  /** Name and config; `config` is merged into the stored one and validated whole. */
  @ApiOperation({ summary: 'Update a project', data: projectResponseSchema })
  @Put(':projectID')
  // Convoy answers 202 Accepted (api/handlers/project.go, UpdateProject).
  @HttpCode(202)
  @UseGuards(ProjectGuard)
  async update(
    @Param('projectID') projectId: string,
    @JsonBody(updateProjectBodySchema) body: ParsedBody<UpdateProjectBody>,
  ): Promise<Envelope<ProjectResponse>> {
    return ok(
      'Project updated successfully',
      presentProject(await this.settings.update(projectId, body.value)),
    );
  }

  /** Instance admin only. Soft delete: 404 afterwards, its keys stop working, nothing more is delivered. */
  @ApiOperation({ summary: 'Delete a project' })
  @Delete(':projectID')
  @UseGuards(AdminGuard)
  async remove(@Param('projectID') projectId: string): Promise<Envelope<null>> {
    await this.settings.delete(projectId);
    return ok('Project deleted successfully', null);
  }
}
