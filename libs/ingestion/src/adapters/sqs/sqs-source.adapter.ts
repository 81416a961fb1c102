import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { createEgressNodeAgents, type EgressPolicy } from '@flotilla/egress';
import type { Logger } from '@flotilla/observability';
import type {
  BrokerMessage,
  ResolvedSqsSource,
  SourceAdapterOptions,
  SourceRunContext,
} from '../../broker/broker-source.adapter';
import { PullingSourceAdapter, SourceRun } from '../../broker/source-run';
import { errorMessage, secondsSince, sleep } from '../settle';

export interface SqsAdapterOptions extends SourceAdapterOptions {
  /** AWS_ENDPOINT_URL_SQS: the endpoint for sources that do not name one (local development). */
  defaultEndpoint: string | undefined;
  /** How long a received message stays hidden; renewed while it is held. */
  visibilityTimeoutSeconds: number;
  /** Long polling. */
  waitTimeSeconds: number;
  /**
   * The SSRF guard for a source's own `endpoint` (tenant input): checked on every connection's
   * resolved address, not only when the source was saved.
   */
  egress: EgressPolicy;
}

/** Errors after which retrying the same client is pointless: the supervisor restarts the source. */
const FATAL_ERRORS = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSecurity',
]);

/** SQS allows 10 message attributes per message. */
const MAX_SQS_ATTRIBUTES = 10;

/**
 * Amazon SQS sources: `workers` long-polling loops per source, each receiving up to 10 messages,
 * handing them to the shared handler as one batch, and deleting what Kafka acknowledged with one
 * DeleteMessageBatch. Replicas are competing consumers of the same queue. Messages held while
 * Kafka is away have their visibility renewed so no one else receives them meanwhile.
 */
export class SqsSourceAdapter extends PullingSourceAdapter<'sqs', SQSClient, SqsAdapterOptions> {
  readonly broker = 'sqs' as const;

  protected connect(source: ResolvedSqsSource): SQSClient {
    const agentOptions = { keepAlive: true, maxSockets: source.workers * 2 + 4 };
    // A tenant-given endpoint goes through the egress guard: its host name may resolve (now or
    // later) to an internal address. The default (the region's AWS endpoint, or the operator's
    // AWS_ENDPOINT_URL_SQS) is the operator's choice and may be a private VPC endpoint.
    const agents =
      source.sqs.endpoint === undefined
        ? { httpAgent: agentOptions, httpsAgent: agentOptions }
        : createEgressNodeAgents(this.options.egress, {
            ...agentOptions,
            lookupTimeoutMs: 5000,
          });
    return new SQSClient({
      region: source.sqs.region,
      endpoint: source.sqs.endpoint ?? this.options.defaultEndpoint,
      credentials: { accessKeyId: source.sqs.accessKeyId, secretAccessKey: source.sqs.secretKey },
      maxAttempts: 3,
      requestHandler: {
        connectionTimeout: 5000,
        requestTimeout: (this.options.waitTimeSeconds + 15) * 1000,
        ...agents,
      },
    });
  }

  protected logFields(source: ResolvedSqsSource): Record<string, string> {
    return { queue: source.sqs.queueName };
  }

  protected async open(
    client: SQSClient,
    context: SourceRunContext<ResolvedSqsSource>,
  ): Promise<SqsSourceRun> {
    const { queueName } = context.source.sqs;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (!QueueUrl) throw new Error(`no URL for queue ${queueName}`);
    const deadLetterUrl = await findDeadLetterQueue(client, QueueUrl, context.logger);
    return new SqsSourceRun(context, client, QueueUrl, deadLetterUrl, this.options);
  }

  protected disconnect(client: SQSClient): Promise<void> {
    client.destroy();
    return Promise.resolve();
  }
}

/** The queue's RedrivePolicy dead-letter target, if it has one we can reach. */
async function findDeadLetterQueue(
  client: SQSClient,
  queueUrl: string,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const policy = Attributes?.RedrivePolicy;
    if (!policy) return undefined;
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    if (typeof arn !== 'string') return undefined;
    // arn:aws:sqs:<region>:<account>:<name>
    const [, , , , account, name] = arn.split(':');
    if (!name) return undefined;
    const { QueueUrl } = await client.send(
      new GetQueueUrlCommand({
        QueueName: name,
        ...(account ? { QueueOwnerAWSAccountId: account } : {}),
      }),
    );
    return QueueUrl;
  } catch (error) {
    logger.warn(
      { err: error },
      'could not read the queue dead-letter target: invalid messages will be deleted',
    );
    return undefined;
  }
}

interface Received {
  message: BrokerMessage;
  receiptHandle: string;
  /** The raw SQS message, for a dead-letter copy. */
  raw: Message;
}

class SqsSourceRun extends SourceRun<ResolvedSqsSource> {
  private readonly pull = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private warnedNoTimestamp = false;

  constructor(
    context: SourceRunContext<ResolvedSqsSource>,
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterUrl: string | undefined,
    private readonly options: SqsAdapterOptions,
  ) {
    super(context);
  }

  start(): void {
    for (let worker = 0; worker < this.source.workers; worker++) this.loops.push(this.loop());
  }

  protected stopTaking(): void {
    this.pull.abort(); // ends long polls now; anything they had taken comes back after the visibility timeout
  }

  protected async settled(): Promise<void> {
    await Promise.all(this.loops);
  }

  protected close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private async loop(): Promise<void> {
    let errorDelay = 250;
    while (!this.stopped) {
      let messages: Message[];
      try {
        const output = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.options.waitTimeSeconds,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
            // The deprecated spelling, for SQS implementations that only know it (the emulator).
            // eslint-disable-next-line @typescript-eslint/no-deprecated
            AttributeNames: ['All'],
          }),
          { abortSignal: this.pull.signal },
        );
        messages = output.Messages ?? [];
        errorDelay = 250;
      } catch (error) {
        if (this.pull.signal.aborted) break;
        if (FATAL_ERRORS.has((error as { name?: string }).name ?? '')) {
          this.stopped = true;
          this.pull.abort();
          this.hooks.failed(error instanceof Error ? error : new Error(String(error)));
          break;
        }
        this.logger.warn({ err: error, retryInMs: errorDelay }, 'SQS receive failed: retrying');
        await sleep(errorDelay, this.pull.signal);
        errorDelay = Math.min(errorDelay * 2, 5000);
        continue;
      }
      if (messages.length > 0) await this.process(messages);
    }
  }

  private async process(messages: Message[]): Promise<void> {
    const receivedAt = performance.now();
    const received: Received[] = [];
    for (const raw of messages) {
      if (!raw.MessageId || !raw.ReceiptHandle) continue;
      received.push({ message: this.toBrokerMessage(raw), receiptHandle: raw.ReceiptHandle, raw });
    }
    if (received.length === 0) return;

    // While the handler holds the batch (Kafka away), keep it hidden from other consumers.
    const renewEveryMs = (this.options.visibilityTimeoutSeconds * 1000) / 2;
    const renewal = setInterval(() => {
      void this.changeVisibility(received, this.options.visibilityTimeoutSeconds);
    }, renewEveryMs);
    const decisions = await this.decide(received.map((entry) => entry.message));
    clearInterval(renewal);
    if (!decisions) return;

    const remove: Received[] = [];
    const deadLetter: { entry: Received; reason: string; detail: string }[] = [];
    const release: Received[] = [];
    decisions.forEach((decision, index) => {
      const entry = received[index]!;
      switch (decision.kind) {
        case 'ack':
          remove.push(entry);
          break;
        case 'reject':
          if (this.deadLetterUrl)
            deadLetter.push({ entry, reason: decision.reason, detail: decision.detail });
          else remove.push(entry);
          break;
        case 'release':
          release.push(entry);
          break;
      }
    });
    if (deadLetter.length > 0) remove.push(...(await this.moveToDeadLetter(deadLetter)));
    const deleted = await this.delete(remove);
    this.hooks.acked(
      deleted,
      Array.from({ length: deleted }, () => secondsSince(receivedAt)),
    );
    if (release.length > 0) await this.changeVisibility(release, 0);
  }

  private toBrokerMessage(raw: Message): BrokerMessage {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.MessageAttributes ?? {})) {
      const text = attributeText(value);
      if (text !== undefined) attributes[name] = text;
    }
    let publishedAt = Number(raw.Attributes?.SentTimestamp);
    if (!Number.isFinite(publishedAt)) {
      if (!this.warnedNoTimestamp) {
        this.warnedNoTimestamp = true;
        this.logger.warn('SQS gave no SentTimestamp: event ids cannot carry the publish time');
      }
      publishedAt = 0;
    }
    return {
      id: raw.MessageId!,
      body: Buffer.from(raw.Body ?? '', 'utf8'),
      attributes,
      publishedAt,
    };
  }

  /** Copies rejected messages to the dead-letter queue with the reason; returns those copied. */
  private async moveToDeadLetter(
    entries: { entry: Received; reason: string; detail: string }[],
  ): Promise<Received[]> {
    const fifo = this.deadLetterUrl!.endsWith('.fifo');
    try {
      const output = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.deadLetterUrl,
          Entries: entries.map(({ entry, reason, detail }, index) => {
            const attributes: Record<string, MessageAttributeValue> = {
              ...(entry.raw.MessageAttributes ?? {}),
            };
            const ours: [string, string][] = [
              ['x-flotilla-ingest-failure', reason],
              ['x-flotilla-ingest-failure-detail', detail.slice(0, 256)],
              ['x-flotilla-source', this.source.id],
            ];
            for (const [name, value] of ours) {
              if (Object.keys(attributes).length < MAX_SQS_ATTRIBUTES)
                attributes[name] = { DataType: 'String', StringValue: value };
            }
            return {
              Id: String(index),
              MessageBody: entry.raw.Body ?? '',
              MessageAttributes: attributes,
              ...(fifo
                ? {
                    MessageGroupId: entry.raw.Attributes?.MessageGroupId ?? this.source.id,
                    MessageDeduplicationId: entry.message.id,
                  }
                : {}),
            };
          }),
        }),
      );
      const moved = (output.Successful ?? []).map((ok) => entries[Number(ok.Id)]!.entry);
      for (const failure of output.Failed ?? []) {
        this.logger.warn(
          { failure },
          'could not dead-letter a message: it stays in the queue for its redrive policy',
        );
      }
      this.hooks.deadLettered(moved.length);
      return moved;
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not dead-letter messages: they stay in the queue for its redrive policy',
      );
      return [];
    }
  }

  /** Deletes messages (acked); returns how many were deleted. */
  private async delete(entries: Received[]): Promise<number> {
    if (entries.length === 0) return 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: entries.map((entry, index) => ({
              Id: String(index),
              ReceiptHandle: entry.receiptHandle,
            })),
          }),
        );
        for (const failure of output.Failed ?? []) {
          // An expired receipt handle: SQS delivers the message again and its event id dedupes it.
          this.logger.warn(
            { failure },
            'SQS did not delete a message: it will be redelivered (and deduplicated)',
          );
        }
        return output.Successful?.length ?? 0;
      } catch (error) {
        if (attempt >= 3) {
          this.logger.warn(
            { err: error },
            'SQS delete failed: the messages will be redelivered (and deduplicated)',
          );
          return 0;
        }
        await sleep(200 * attempt);
      }
    }
  }

  private async changeVisibility(entries: Received[], seconds: number): Promise<void> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: entries.map((entry, index) => ({
            Id: String(index),
            ReceiptHandle: entry.receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
    } catch (error) {
      this.logger.warn(
        { err: error, seconds },
        `could not change message visibility: ${errorMessage(error)}`,
      );
    }
  }
}

function attributeText(value: MessageAttributeValue): string | undefined {
  if (value.StringValue !== undefined) return value.StringValue;
  if (value.BinaryValue !== undefined) return Buffer.from(value.BinaryValue).toString('base64');
  return undefined;
}
