import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { ProducedMessage } from './sqs-test-queue';

/** The RabbitMQ server of the test machines (RABBITMQ_TEST_URL overrides it). */
export const AMQP_TEST_SERVER = {
  host: '127.0.0.1',
  port: 5672,
  user: 'guest',
  password: 'guest',
  vhost: '/',
};

function serverUrl(): string {
  const { host, port, user, password } = AMQP_TEST_SERVER;
  return process.env['RABBITMQ_TEST_URL'] ?? `amqp://${user}:${password}@${host}:${port}`;
}

/**
 * A queue on the local RabbitMQ server, as a producer (a user's backend service) sees it: declared
 * with a unique name (runs never collide), fed through a confirm channel with a `message-id` and a
 * `timestamp` on every message, deleted by `close`.
 */
export class AmqpTestQueue {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    readonly name: string,
  ) {}

  /** A durable queue named `flotilla-test-<name>-<random>`, dead-lettering to `deadLetter`. */
  static async create(name: string, deadLetter?: AmqpTestQueue): Promise<AmqpTestQueue> {
    const connection = await connect(serverUrl());
    const channel = await connection.createConfirmChannel();
    const queue = `flotilla-test-${name}-${randomBytes(4).toString('hex')}`;
    await channel.assertQueue(queue, {
      durable: true,
      ...(deadLetter ? { deadLetterExchange: '', deadLetterRoutingKey: deadLetter.name } : {}),
    });
    return new AmqpTestQueue(connection, channel, queue);
  }

  /**
   * Publishes (persistent, to the default exchange), waiting for the broker's confirms every
   * `concurrency` x 50 messages; resolves with the message ids.
   */
  async send(messages: readonly ProducedMessage[], concurrency = 8): Promise<string[]> {
    const ids: string[] = [];
    const window = Math.max(1, concurrency) * 50;
    for (let start = 0; start < messages.length; start += window) {
      for (const message of messages.slice(start, start + window)) {
        const id = randomUUID();
        ids.push(id);
        this.channel.publish('', this.name, Buffer.from(message.body, 'utf8'), {
          persistent: true,
          messageId: id,
          timestamp: Math.floor(Date.now() / 1000),
          contentType: 'application/json',
          headers: message.attributes ?? {},
        });
      }
      await this.channel.waitForConfirms();
    }
    return ids;
  }

  /** Messages ready for delivery (not counting those delivered and not yet acked), and consumers. */
  async depth(): Promise<{ ready: number; consumers: number }> {
    const { messageCount, consumerCount } = await this.channel.checkQueue(this.name);
    return { ready: messageCount, consumers: consumerCount };
  }

  /** Takes one message off the queue (acked), or undefined when none is ready. */
  async take(): Promise<{ body: string; headers: Record<string, unknown> } | undefined> {
    const message = await this.channel.get(this.name, { noAck: true });
    if (message === false) return undefined;
    return {
      body: message.content.toString('utf8'),
      headers: message.properties.headers ?? {},
    };
  }

  /** Deletes the queue and closes the connection. */
  async close(): Promise<void> {
    await this.channel.deleteQueue(this.name).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
