import { MockAgent } from 'undici';
import { HttpSender, type ClientCertificate } from './http-sender';

const URL_ = 'https://receiver.example/hook';
const CERT: ClientCertificate = { cert: 'cert-pem', key: 'key-pem' };

function answering(status: number, times: number): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get('https://receiver.example')
    .intercept({ path: '/hook', method: 'POST' })
    .reply(status, 'ok')
    .times(times);
  return agent;
}

describe('HttpSender with client certificates', () => {
  it('sends through the client certificate’s own pool, made once and reused', async () => {
    const withCertificate = answering(200, 2);
    const factory = jest.fn(() => withCertificate);
    const sender = new HttpSender(answering(500, 1), factory);
    const outgoing = { url: URL_, headers: {}, body: '{}', timeoutMs: 1000 };

    await expect(sender.send({ ...outgoing, clientCertificate: CERT })).resolves.toMatchObject({
      kind: 'response',
      status: 200,
    });
    await sender.send({ ...outgoing, clientCertificate: { ...CERT } });
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith(CERT);
    await expect(sender.send(outgoing)).resolves.toMatchObject({ status: 500 });
  });

  it('fails the request when it cannot present a certificate', async () => {
    const sender = new HttpSender(answering(200, 1));
    const result = await sender.send({
      url: URL_,
      headers: {},
      body: '{}',
      timeoutMs: 1000,
      clientCertificate: CERT,
    });
    expect(result).toMatchObject({ kind: 'error' });
  });
});
