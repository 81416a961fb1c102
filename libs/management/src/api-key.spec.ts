import { apiKeySecretMatches, generateApiKey, parseApiKey } from './api-key';

describe('API keys', () => {
  it('round-trips a generated key and rejects a wrong one', () => {
    const generated = generateApiKey();
    const parsed = parseApiKey(generated.key);
    expect(parsed?.prefix).toBe(generated.prefix);
    expect(apiKeySecretMatches(parsed!.secret, generated.keyHash)).toBe(true);
    expect(apiKeySecretMatches(parsed!.secret.replace(/.$/, 'A'), generated.keyHash)).toBe(
      parsed!.secret.endsWith('A'),
    );
    expect(parseApiKey('CO.abc.def')).toBeUndefined();
    expect(generated.key).not.toContain(generated.keyHash);
  });
});
