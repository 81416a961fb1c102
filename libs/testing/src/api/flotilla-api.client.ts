import { Agent, request as httpRequest } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

/** A small HTTP client for Flotilla's API, used by tests, benchmarks and the demo as a user would. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: { status: boolean; message: string; data: T };
  headers: IncomingHttpHeaders;
}

// Keep-alive connections: benchmarks should measure Flotilla, not connection set-up.
// Idle sockets close after a second so test processes can exit.
export const apiAgent = new Agent({
  connections: 256,
  keepAliveTimeout: 1000,
  keepAliveMaxTimeout: 1000,
});

export class FlotillaApi {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  withToken(token: string): FlotillaApi {
    return new FlotillaApi(this.baseUrl, token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    rawBody?: string,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    const response = await httpRequest(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      dispatcher: apiAgent,
    });
    const text = await response.body.text();
    let parsed: ApiResponse<T>['body'];
    try {
      parsed = JSON.parse(text) as ApiResponse<T>['body'];
    } catch {
      throw new Error(
        `${method} ${path}: non-JSON answer ${response.statusCode}: ${text.slice(0, 200)}`,
      );
    }
    return { status: response.statusCode, body: parsed, headers: response.headers };
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  /** Fails loudly unless the answer has the expected status: for set-up steps. */
  async expect<T = unknown>(
    status: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== status) {
      throw new Error(
        `${method} ${path}: expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response.body.data;
  }
}

export interface DemoProject {
  projectId: string;
  apiKey: string;
  api: FlotillaApi;
}

/** Creates a project (admin token) and returns a client holding its API key. */
export async function createProject(
  admin: FlotillaApi,
  name: string,
  config: Record<string, unknown> = {},
): Promise<DemoProject> {
  const data = await admin.expect<{ project: { uid: string }; api_key: { key: string } }>(
    201,
    'POST',
    '/api/v1/projects',
    {
      name,
      config,
    },
  );
  return {
    projectId: data.project.uid,
    apiKey: data.api_key.key,
    api: admin.withToken(data.api_key.key),
  };
}

export async function createEndpoint(
  project: DemoProject,
  body: Record<string, unknown>,
): Promise<{ uid: string; secrets: { value: string }[] }> {
  return project.api.expect(201, 'POST', `/api/v1/projects/${project.projectId}/endpoints`, body);
}

export async function createSubscription(
  project: DemoProject,
  body: Record<string, unknown>,
): Promise<{ uid: string }> {
  return project.api.expect(
    201,
    'POST',
    `/api/v1/projects/${project.projectId}/subscriptions`,
    body,
  );
}

/** A project route's path: `/api/v1/projects/{projectID}/{rest}`. */
export function projectPath(project: DemoProject, rest: string): string {
  return `/api/v1/projects/${project.projectId}/${rest}`;
}

/** Sends one event to one endpoint (201 expected) and answers the event's id. */
export async function sendEvent(
  project: DemoProject,
  endpointId: string,
  data: unknown,
  eventType = 'test.event',
): Promise<string> {
  const body = { endpoint_id: endpointId, event_type: eventType, data };
  const created = await project.api.expect<{ uid: string }>(
    201,
    'POST',
    projectPath(project, 'events'),
    body,
  );
  return created.uid;
}

/** Project config in which a first failure is final, so delivery statuses settle at once. */
export const NO_RETRIES = { strategy: { type: 'linear', duration: 1, retry_count: 0 } };

/** A well-formed id that names nothing. */
export const UNKNOWN_ID = '0190a4d2-0000-7000-8000-000000000000';
