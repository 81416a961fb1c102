import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';

/** A message as a producer publishes it: a body (any text) and its broker attributes. */
export interface ProducedMessage {
  body: string;
  attributes?: Record<string, string>;
}

/** The dummy credentials tests use against the emulator. */
export const SQS_TEST_CREDENTIALS = {
  accessKeyId: 'AKIATESTTESTTEST0001',
  secretAccessKey: 'test-secret-key',
};

/**
 * A queue on the SQS emulator, as a producer (a user's backend service) sees it: created with the
 * official client, fed with SendMessageBatch.
 */
export class SqsTestQueue {
  private constructor(
    readonly client: SQSClient,
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(
    endpoint: string,
    name: string,
    attributes: Record<string, string> = {},
  ): Promise<SqsTestQueue> {
    const client = new SQSClient({
      region: 'us-east-1',
      endpoint,
      credentials: SQS_TEST_CREDENTIALS,
    });
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    if (!QueueUrl) throw new Error(`no URL for queue ${name}`);
    return new SqsTestQueue(client, name, QueueUrl);
  }

  async arn(): Promise<string> {
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ['QueueArn'] }),
    );
    return Attributes?.QueueArn ?? '';
  }

  /** Sends in batches of 10, `concurrency` batches at a time; resolves with the message ids. */
  async send(messages: readonly ProducedMessage[], concurrency = 8): Promise<string[]> {
    const ids: string[] = new Array<string>(messages.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const start = next;
        next += 10;
        const chunk = messages.slice(start, start + 10);
        const output = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.url,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              MessageBody: message.body,
              MessageAttributes: stringAttributes(message.attributes ?? {}),
            })),
          }),
        );
        if (output.Failed?.length)
          throw new Error(`SQS refused messages: ${JSON.stringify(output.Failed)}`);
        for (const ok of output.Successful ?? []) ids[start + Number(ok.Id)] = ok.MessageId ?? '';
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    return ids;
  }

  /** Messages in the queue, visible or in flight. */
  async depth(): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  close(): void {
    this.client.destroy();
  }
}

function stringAttributes(
  attributes: Record<string, string>,
): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { DataType: 'String', StringValue: value },
    ]),
  );
}
