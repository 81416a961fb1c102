import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import type { z } from 'zod';
import { RetryableBatchError } from './errors';
import type { BatchOutcome, ConsumedMessage } from './kafka-batch.transport';
import { parseBatch } from './parse-batch';
import { PassThroughRpcFilter } from './pass-through-rpc.filter';

/** A class of Kafka batch handlers (`@EventPattern`): their errors reach the transport as thrown. */
export function BatchConsumer(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(PassThroughRpcFilter));
}

/**
 * A consumer's whole handler: parses the batch at the edge (what cannot parse becomes a dead
 * letter), runs the use case on the valid messages, and leaves the commit to the transport. A
 * failing use case retries the unit (`RetryableBatchError` saying `failure`): never caught and
 * dropped.
 */
export async function consumeBatch<S extends z.ZodType>(
  messages: readonly ConsumedMessage[],
  schema: S,
  useCase: (valid: z.infer<S>[]) => Promise<unknown>,
  failure: string,
): Promise<BatchOutcome> {
  const { valid, deadLetters } = parseBatch(messages, schema);
  try {
    await useCase(valid);
  } catch (error) {
    throw new RetryableBatchError(failure, { cause: error });
  }
  return { deadLetters };
}
