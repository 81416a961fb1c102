import type { DemoProject } from './flotilla-api.client';

/** Creates a source through the API (a user's first step) and returns it as the API shows it. */
export async function createSource(
  project: DemoProject,
  body: Record<string, unknown>,
): Promise<{ uid: string; pub_sub: Record<string, unknown> }> {
  return project.api.expect(201, 'POST', `/api/v1/projects/${project.projectId}/sources`, body);
}

/** A Convoy-format broker message body. */
export function convoyMessage(fields: {
  endpoint_id?: string;
  owner_id?: string;
  event_type: string;
  data: unknown;
  custom_headers?: Record<string, string>;
  idempotency_key?: string;
}): string {
  return JSON.stringify(fields);
}
