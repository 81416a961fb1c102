-- Endpoint authentication beyond api_key: an OAuth2 client secret and an mTLS client key, kept
-- encrypted (AES-256-GCM with FLOTILLA_ENCRYPTION_KEY, bound to the endpoint's id) in
-- `credentials`; the mTLS client certificate is public and kept as PEM text.

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN "credentials" BYTEA,
ADD COLUMN "mtls_client_cert" TEXT;
