import {
  createEndpoint,
  createProject,
  eventually,
  metricValue,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

describe('bad input gets a clear 4xx and nothing reaches Kafka', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let other: DemoProject;
  let endpointId: string;
  let eventsPath: string;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'validation');
    other = await createProject(stack.admin, 'someone else');
    endpointId = (await createEndpoint(project, { name: 'receiver', url: receiver.url })).uid;
    eventsPath = `/api/v1/projects/${project.projectId}/events`;
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it('malformed JSON is a 400 that says so', async () => {
    const response = await project.api.request(
      'POST',
      eventsPath,
      undefined,
      '{"endpoint_id": "x", "event_type": ',
    );
    expect(response.status).toBe(400);
    expect(response.body.status).toBe(false);
    expect(response.body.message).toMatch(/malformed JSON/);
  });

  it('a missing event_type is a 400 naming the field', async () => {
    const response = await project.api.post(eventsPath, {
      endpoint_id: endpointId,
      data: { a: 1 },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('event_type');
    expect(response.body.data).toMatchObject({ field: 'event_type' });
  });

  it('an unknown endpoint is a 404 naming it', async () => {
    const unknown = '0190a4d2-0000-7000-8000-000000000000';
    const response = await project.api.post(eventsPath, {
      endpoint_id: unknown,
      event_type: 'x',
      data: {},
    });
    expect(response.status).toBe(404);
    expect(response.body.message).toContain(unknown);
    expect(response.body.data).toMatchObject({ field: 'endpoint_id' });
  });

  it('a wrong API key is a 401; another project’s key is a 403', async () => {
    const wrong = project.api.withToken(
      'FL.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    const unauthorized = await wrong.post(eventsPath, {
      endpoint_id: endpointId,
      event_type: 'x',
      data: {},
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.message).toMatch(/API key/);
    const missing = await project.api
      .withToken('')
      .post(eventsPath, { endpoint_id: endpointId, event_type: 'x', data: {} });
    expect(missing.status).toBe(401);
    const forbidden = await other.api.post(eventsPath, {
      endpoint_id: endpointId,
      event_type: 'x',
      data: {},
    });
    expect(forbidden.status).toBe(403);
  });

  it('rejects endpoint URLs the egress policy would refuse, naming url', async () => {
    const response = await project.api.post(`/api/v1/projects/${project.projectId}/endpoints`, {
      name: 'metadata',
      url: 'http://169.254.169.254/latest/meta-data',
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'url' });
  });

  it('after all that, only the one good event was produced and stored', async () => {
    const good = await project.api.post<{ uid: string }>(eventsPath, {
      endpoint_id: endpointId,
      event_type: 'ok',
      data: { n: 1 },
    });
    expect(good.status).toBe(201);
    await receiver.waitForRequests(1);
    const events = await eventually(async () => {
      const page = await project.api.expect<{ content: { uid: string }[] }>(200, 'GET', eventsPath);
      expect(page.content).toHaveLength(1);
      return page.content;
    });
    expect(events[0]!.uid).toBe(good.body.data.uid);
    const ingested = metricValue(
      await stack.service('ingest-api').metrics(),
      'flotilla_events_ingested_total',
    );
    expect(ingested).toBe(1);
    const routed = metricValue(
      await stack.service('dispatcher').metrics(),
      'flotilla_events_routed_total',
    );
    expect(routed).toBe(1);
  });
});
