import {
  createEndpoint,
  createProject,
  makeTestCertificates,
  NO_RETRIES,
  projectPath,
  sendEvent,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type TestCertificates,
  type TestStack,
} from '@flotilla/testing';
import { attemptsOnce } from './support/delivery-attempts';

jest.setTimeout(120_000);

interface Attempt {
  status_code: number | null;
  error: string;
  error_kind: string;
}

/**
 * mTLS endpoints (Convoy's `mtls_client_cert`): the dispatcher presents the endpoint's client
 * certificate to a receiver that requires one. A throwaway CA made here signs the receiver's
 * certificate (for 127.0.0.1) and the client's; the receiver trusts that CA for clients, and the
 * dispatcher trusts it for the receiver through NODE_EXTRA_CA_CERTS, as an operator would add a
 * private CA.
 */
describe('mTLS endpoints', () => {
  let stack: TestStack;
  let certs: TestCertificates;
  let receiver: WebhookReceiver;
  let clientCert: string;
  let clientKey: string;

  beforeAll(async () => {
    certs = makeTestCertificates('127.0.0.1');
    clientCert = certs.pem(certs.clientCertFile);
    clientKey = certs.pem(certs.clientKeyFile);
    receiver = await WebhookReceiver.start(undefined, {
      cert: certs.pem(certs.serverCertFile),
      key: certs.pem(certs.serverKeyFile),
      clientCa: certs.pem(certs.caFile),
    });
    stack = await startTestStack(['ingest-api']);
    await stack.start('dispatcher', { NODE_EXTRA_CA_CERTS: certs.caFile });
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
    certs.remove();
  });

  it('delivers over TLS, presenting the endpoint’s client certificate', async () => {
    const project = await createProject(stack.admin, 'mtls', NO_RETRIES);
    const endpoint = await createEndpoint(project, {
      name: 'mtls',
      url: `${receiver.url}/with-cert`,
      mtls_client_cert: { client_cert: clientCert, client_key: clientKey },
    });
    const eventId = await sendEvent(project, endpoint.uid, { hello: 'mtls' });

    const [attempt] = await attemptsOnce<Attempt>(project, eventId, 'Success');
    expect(attempt).toMatchObject({ status_code: 200, error: '' });
    const received = receiver.requests.filter((request) => request.path.endsWith('/with-cert'));
    expect(received).toHaveLength(1);
    expect(received[0]!.clientCertificateSubject).toBe('flotilla-test-client');
    expect(JSON.parse(received[0]!.body)).toEqual({ hello: 'mtls' });
  });

  it('records a failed attempt when the endpoint has no client certificate', async () => {
    const project = await createProject(stack.admin, 'mtls-missing', NO_RETRIES);
    const endpoint = await createEndpoint(project, {
      name: 'no certificate',
      url: `${receiver.url}/without-cert`,
    });
    const eventId = await sendEvent(project, endpoint.uid, {});

    const attempts = await attemptsOnce<Attempt>(project, eventId, 'Failure');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.status_code).toBeNull();
    expect(attempts[0]!.error).not.toBe('');
    expect(receiver.requests.filter((request) => request.path.endsWith('/without-cert'))).toEqual(
      [],
    );
  });

  it('shows the certificate but never the key', async () => {
    const project = await createProject(stack.admin, 'mtls-masked');
    const endpoint = await createEndpoint(project, {
      name: 'mtls',
      url: receiver.url,
      mtls_client_cert: { client_cert: clientCert, client_key: clientKey },
    });
    const shown = await project.api.expect<{ mtls_client_cert: unknown }>(
      200,
      'GET',
      projectPath(project, `endpoints/${endpoint.uid}`),
    );
    expect(shown.mtls_client_cert).toEqual({ client_cert: clientCert, client_key: '[REDACTED]' });
    expect(JSON.stringify(endpoint)).not.toContain('PRIVATE KEY');
  });

  it('refuses a key that is not the certificate’s, naming the field', async () => {
    const project = await createProject(stack.admin, 'mtls-mismatch');
    const response = await project.api.post(projectPath(project, 'endpoints'), {
      name: 'mtls',
      url: receiver.url,
      mtls_client_cert: { client_cert: clientCert, client_key: certs.pem(certs.serverKeyFile) },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'mtls_client_cert.client_key' });
    expect(response.body.message).toMatch(/not the private key of client_cert/);
  });

  it('refuses a certificate that does not parse, naming the field', async () => {
    const project = await createProject(stack.admin, 'mtls-garbage');
    const response = await project.api.post(projectPath(project, 'endpoints'), {
      name: 'mtls',
      url: receiver.url,
      mtls_client_cert: {
        client_cert:
          '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
        client_key: clientKey,
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'mtls_client_cert.client_cert' });
  });
});
