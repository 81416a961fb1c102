export * from './flotilla-client';
export type { components, operations, paths } from './generated/flotilla-api';
