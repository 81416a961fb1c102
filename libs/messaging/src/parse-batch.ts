import type { z } from 'zod';
import type { ConsumedMessage, DeadLetter } from './kafka-batch.transport';

/**
 * Parses a batch at the edge: each message's JSON against the topic's schema. A message that does
 * not parse can never succeed, so it becomes a dead letter with the reason instead of blocking the
 * partition.
 */
export function parseBatch<S extends z.ZodType>(
  messages: readonly ConsumedMessage[],
  schema: S,
): { valid: z.infer<S>[]; deadLetters: DeadLetter[] } {
  const valid: z.infer<S>[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of messages) {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      deadLetters.push({
        message,
        reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    const result = schema.safeParse(json);
    if (result.success) valid.push(result.data);
    else {
      const reason = result.error.issues
        .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      deadLetters.push({ message, reason: `invalid message: ${reason}` });
    }
  }
  return { valid, deadLetters };
}
