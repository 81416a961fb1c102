/** Convoy's response envelope. */
export interface Envelope<T> {
  status: boolean;
  message: string;
  data: T;
}

export function ok<T>(message: string, data: T): Envelope<T> {
  return { status: true, message, data };
}
