export * from './errors';
export type { WebhookBody } from './crypto-utils';
export type { HeaderSource } from './headers';
export * from './secrets';
export * from './ed25519';
export * from './standard-webhooks';
export * from './convoy';
export * from './signature-scheme';
export * from './credentials-cipher';
