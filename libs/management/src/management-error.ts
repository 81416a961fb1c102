export type ManagementErrorCode =
  'not_found' | 'validation' | 'conflict' | 'forbidden' | 'unauthorized';

/** A request that cannot be carried out, with the field to blame when there is one. */
export class ManagementError extends Error {
  constructor(
    readonly code: ManagementErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ManagementError';
  }
}
