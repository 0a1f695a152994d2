import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError, TokenService } from '../src/auth/tokens';
import { TEST_JWT_SECRET } from './support/constants';

const tokens = () =>
  new TokenService({ secret: TEST_JWT_SECRET, issuer: 'assay', audience: 'assay-api', accessTtlSeconds: 60, refreshTtlSeconds: 600 });

afterEach(() => {
  vi.useRealTimers();
});

describe('access token verification', () => {
  it('still refuses a memoised token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = tokens();
    const { token } = await service.signAccess('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002');
    expect((await service.verifyAccess(token)).userId).toBe('00000000-0000-4000-8000-000000000001');
    vi.setSystemTime(Date.now() + 64_000);
    expect((await service.verifyAccess(token)).sessionId).toBe('00000000-0000-4000-8000-000000000002');
    vi.setSystemTime(Date.now() + 2_000);
    await expect(service.verifyAccess(token)).rejects.toThrow(new TokenError('Token expired'));
  });

  it('does not let one memoised token vouch for another service’s secret', async () => {
    const { token } = await tokens().signAccess('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002');
    const other = new TokenService({ secret: 'another-secret-of-at-least-32-bytes!!', issuer: 'assay', audience: 'assay-api', accessTtlSeconds: 60, refreshTtlSeconds: 600 });
    await expect(other.verifyAccess(token)).rejects.toThrow(TokenError);
  });
});
