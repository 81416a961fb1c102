import { projectConfigSchema, retentionPeriodMs } from './project.dto';

describe('retention_policy in the project config', () => {
  it('defaults to 720h (30 days), as Convoy', () => {
    const config = projectConfigSchema.parse({});
    expect(config.retention_policy.policy).toBe('720h');
    expect(retentionPeriodMs(config.retention_policy.policy)).toBe(30 * 86_400_000);
  });

  it('reads Go-style durations', () => {
    expect(retentionPeriodMs('1h30m')).toBe(5_400_000);
    expect(retentionPeriodMs('5400s')).toBe(5_400_000);
  });

  it('refuses periods under an hour and text that is not a duration, naming the field', () => {
    for (const policy of ['30m', '0h', 'forever', '30d', '']) {
      const result = projectConfigSchema.safeParse({ retention_policy: { policy } });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['retention_policy', 'policy']);
    }
  });
});
