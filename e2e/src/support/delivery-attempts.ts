import { eventually, projectPath, type DemoProject } from '@flotilla/testing';

/** The attempts of an event's (only) delivery once it reached `status`, oldest first, as the API shows them. */
export async function attemptsOnce<Attempt>(
  project: DemoProject,
  eventId: string,
  status: 'Success' | 'Failure',
): Promise<Attempt[]> {
  const delivery = await eventually(async () => {
    const page = await project.api.expect<{ content: { uid: string; status: string }[] }>(
      200,
      'GET',
      projectPath(project, `eventdeliveries?eventId=${eventId}`),
    );
    expect(page.content[0]?.status).toBe(status);
    return page.content[0]!;
  });
  return project.api.expect<Attempt[]>(
    200,
    'GET',
    projectPath(project, `eventdeliveries/${delivery.uid}/deliveryattempts`),
  );
}
