import { Injectable } from '@nestjs/common';
import { newId, UUID_PATTERN, type CreateProjectBody } from '@flotilla/contracts';
import { ApiKeyRepository, ProjectRepository, type Project } from '@flotilla/db';
import { apiKeySecretMatches, generateApiKey, parseApiKey } from './api-key';
import { ManagementError } from './management-error';
import { presentProject } from './presenters';

const AUTH_CACHE_MS = 10_000;

@Injectable()
export class ProjectsService {
  private readonly authCache = new Map<string, { projectId: string; at: number }>();

  constructor(
    private readonly projects: ProjectRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  /** The project and its first API key; the key is shown here once and never again. */
  async create(body: CreateProjectBody): Promise<Record<string, unknown>> {
    const key = generateApiKey();
    const { project, apiKey } = await this.projects.createWithApiKey(
      { id: newId(), name: body.name, type: body.type, config: body.config },
      { id: newId(), name: `${body.name} default key`, prefix: key.prefix, keyHash: key.keyHash },
    );
    return {
      project: presentProject(project),
      api_key: { uid: apiKey.id, name: apiKey.name, prefix: key.prefix, key: key.key, created_at: apiKey.createdAt.toISOString() },
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

  /**
   * The project a bearer key belongs to. Results are cached briefly: a revoked key stops working
   * within AUTH_CACHE_MS.
   */
  async authenticate(bearer: string): Promise<string> {
    const cached = this.authCache.get(bearer);
    if (cached && Date.now() - cached.at < AUTH_CACHE_MS) return cached.projectId;
    const parsed = parseApiKey(bearer);
    const row = parsed ? await this.apiKeys.findUsable(parsed.prefix) : null;
    if (!parsed || !row || !apiKeySecretMatches(parsed.secret, row.keyHash)) {
      throw new ManagementError('unauthorized', 'invalid API key');
    }
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(bearer, { projectId: row.projectId, at: Date.now() });
    return row.projectId;
  }
}
