// coturn's shared-secret scheme: the expected credential below was computed with openssl
// (`echo -n 1700003600:abc123 | openssl dgst -sha1 -hmac <secret> -binary | base64`), an
// implementation independent of ours.
import { describe, expect, test } from 'vitest';
import {
  TURN_TTL_S_MAX,
  TURN_TTL_S_MIN,
  TurnConfigError,
  turnCredential,
} from '../../../src/server/turn-credentials';

const SECRET = '0123456789abcdef0123456789abcdef';

describe('turnCredential', () => {
  test('username = expiry:id, credential = base64(HMAC-SHA1(secret, username))', () => {
    const credential = turnCredential(SECRET, {
      nowMs: 1_700_000_000_500,
      ttlS: 3600,
      id: 'abc123',
    });
    expect(credential).toEqual({
      username: '1700003600:abc123',
      credential: '5qDg0ALkzTyw497mLNh5R/0EWtI=',
      expiresAtMs: 1_700_003_600_000,
    });
  });

  test('each credential gets its own id', () => {
    const options = { nowMs: 1_700_000_000_000, ttlS: 600 };
    const first = turnCredential(SECRET, options);
    const second = turnCredential(SECRET, options);
    expect(first.username).toMatch(/^1700000600:[0-9a-f]{12}$/);
    expect(first.username).not.toBe(second.username);
  });

  test('refuses a short secret and a lifetime that is not short-lived or too short to use', () => {
    expect(() => turnCredential('short', { nowMs: 0, ttlS: 600 })).toThrow(TurnConfigError);
    expect(() => turnCredential(SECRET, { nowMs: 0, ttlS: TURN_TTL_S_MIN - 1 })).toThrow(
      TurnConfigError,
    );
    expect(() => turnCredential(SECRET, { nowMs: 0, ttlS: TURN_TTL_S_MAX + 1 })).toThrow(
      TurnConfigError,
    );
    expect(() => turnCredential(SECRET, { nowMs: 0, ttlS: Number.NaN })).toThrow(TurnConfigError);
  });
});
