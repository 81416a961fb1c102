import {
  createEndpoint,
  createProject,
  eventually,
  projectPath,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/** Convoy's `MetaEventResponse` (api/models/meta_event.go, datastore.MetaEvent). */
interface MetaEventView {
  uid: string;
  project_id: string;
  event_type: string;
  status: string;
  metadata: { data: { uid?: string }; raw: string; num_trials: number };
  attempt: { http_status: string; response_data: string; error: string };
}

/**
 * Meta events as a stored log, as Convoy keeps them (api/handlers/meta_event.go:
 * GetMetaEventsPaged, GetMetaEvent, ResendMetaEvent): each one sent to the project's meta URL is
 * listed with the outcome of its attempt, and can be sent again.
 */
describe('the meta event log', () => {
  let stack: TestStack;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api']);
  });

  afterAll(async () => {
    await stopAll(...receivers, stack);
  });

  async function receiver(status = 200): Promise<WebhookReceiver> {
    const started = await WebhookReceiver.start(() => ({ status, body: `answered ${status}` }));
    receivers.push(started);
    return started;
  }

  async function projectSendingTo(url: string): Promise<DemoProject> {
    return createProject(stack.admin, 'meta', {
      meta_event: { is_enabled: true, url, event_type: ['endpoint.created'] },
    });
  }

  /** The project's meta events once `count` are logged (sending is asynchronous). */
  async function logged(project: DemoProject, count: number): Promise<MetaEventView[]> {
    return eventually(async () => {
      const page = await project.api.expect<{ content: MetaEventView[] }>(
        200,
        'GET',
        projectPath(project, 'meta-events'),
      );
      expect(page.content).toHaveLength(count);
      return page.content;
    }, 20_000);
  }

  it('lists a meta event the receiver took as Success, with what was sent', async () => {
    const meta = await receiver();
    const project = await projectSendingTo(meta.url);
    const endpoint = await createEndpoint(project, { name: 'e', url: meta.url });
    const [event] = await logged(project, 1);
    expect(event).toMatchObject({
      project_id: project.projectId,
      event_type: 'endpoint.created',
      status: 'Success',
      metadata: { data: { uid: endpoint.uid }, num_trials: 1 },
      attempt: { http_status: '200', response_data: 'answered 200' },
    });
    expect(event?.metadata.raw).toBe(meta.requests[0]?.body);
  });

  it('lists a meta event the receiver refused as Failure, saying why', async () => {
    const refusing = await receiver(500);
    const project = await projectSendingTo(refusing.url);
    await createEndpoint(project, { name: 'e', url: refusing.url });
    const [event] = await logged(project, 1);
    expect(event).toMatchObject({
      status: 'Failure',
      attempt: { http_status: '500', error: 'the receiver answered 500' },
    });
  });

  it('gets one meta event by id', async () => {
    const meta = await receiver();
    const project = await projectSendingTo(meta.url);
    await createEndpoint(project, { name: 'e', url: meta.url });
    const [event] = await logged(project, 1);
    const one = await project.api.request<MetaEventView>(
      'GET',
      projectPath(project, `meta-events/${event!.uid}`),
    );
    expect([one.status, one.body.data]).toEqual([200, event]);
  });

  it("resends a meta event, as first sent, to the project's current meta URL", async () => {
    const first = await receiver(500);
    const project = await projectSendingTo(first.url);
    await createEndpoint(project, { name: 'e', url: first.url });
    const [failed] = await logged(project, 1);
    const second = await receiver();
    await project.api.expect(202, 'PUT', `/api/v1/projects/${project.projectId}`, {
      config: { meta_event: { url: second.url } },
    });
    const resent = await project.api.request<MetaEventView>(
      'PUT',
      projectPath(project, `meta-events/${failed!.uid}/resend`),
    );
    expect([resent.status, resent.body.data.status, resent.body.data.metadata.num_trials]).toEqual([
      200,
      'Success',
      2,
    ]);
    expect(second.requests.map((request) => request.body)).toEqual([failed!.metadata.raw]);
  });

  it('answers 404 for a meta event of another project', async () => {
    const meta = await receiver();
    const owner = await projectSendingTo(meta.url);
    await createEndpoint(owner, { name: 'e', url: meta.url });
    const [event] = await logged(owner, 1);
    const other = await createProject(stack.admin, 'other');
    const response = await other.api.request(
      'GET',
      projectPath(other, `meta-events/${event!.uid}`),
    );
    expect(response.status).toBe(404);
  });
});
