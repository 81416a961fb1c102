/**
 * A filter document that cannot be compiled. `path` locates the offending key from the filter root
 * (`data.amount.$gtx`, `$or[1].type`; empty for the root itself) so an API can point at it.
 */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${reason} (at ${path === '' ? 'the filter root' : `"${path}"`})`);
  }
}
