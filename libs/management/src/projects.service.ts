import { Injectable } from '@nestjs/common';
import {
  newId,
  UUID_PATTERN,
  type CreateProjectBody,
  type CreatedProjectResponse,
} from '@flotilla/contracts';
import { ProjectRepository, type Project } from '@flotilla/db';
import { generateApiKey, presentApiKey } from './api-key';
import { ManagementError } from './management-error';
import { presentProject } from './presenters';

@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectRepository) {}

  /** The project and its first API key; the key is shown here once and never again. */
  async create(body: CreateProjectBody): Promise<CreatedProjectResponse> {
    const key = generateApiKey();
    const { project, apiKey } = await this.projects.createWithApiKey(
      { id: newId(), name: body.name, type: body.type, config: body.config },
      { id: newId(), name: `${body.name} default key`, prefix: key.prefix, keyHash: key.keyHash },
    );
    return {
      project: presentProject(project),
      api_key: { ...presentApiKey(apiKey), key: key.key },
    };
  }

  async get(projectId: string): Promise<Project> {
    const project = UUID_PATTERN.test(projectId) ? await this.projects.findById(projectId) : null;
    if (!project) throw new ManagementError('not_found', `project ${projectId} not found`);
    return project;
  }

  async list(): Promise<Project[]> {
    return this.projects.list();
  }
}
