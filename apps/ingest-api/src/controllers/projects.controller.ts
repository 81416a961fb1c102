import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { createProjectBodySchema, type CreateProjectBody } from '@flotilla/contracts';
import { presentProject, ProjectsService } from '@flotilla/management';
import { AdminGuard, ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @HttpCode(201)
  @UseGuards(AdminGuard)
  async create(@JsonBody(createProjectBodySchema) body: ParsedBody<CreateProjectBody>): Promise<Envelope<unknown>> {
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
}
