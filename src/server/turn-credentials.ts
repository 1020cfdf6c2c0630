// Short-lived TURN credentials in coturn's shared-secret ("TURN REST API") scheme: the server and
// coturn share a secret; a credential is valid until the expiry written in its own username, and
// coturn checks it by recomputing the HMAC. So the page gets a credential that dies on its own,
// and the secret itself never leaves the server.
//   username   = "<expiry, Unix seconds>:<id>"
//   credential = base64(HMAC-SHA1(secret, username))
import { createHmac, randomBytes } from 'node:crypto';

/** Shorter than this, a page may not finish its ICE gathering before the credential dies. */
export const TURN_TTL_S_MIN = 60;
/** Longer than a day is no longer short-lived. */
export const TURN_TTL_S_MAX = 24 * 60 * 60;
export const TURN_TTL_S_DEFAULT = 60 * 60;
/** coturn refuses an empty or very short shared secret as easy to guess; we do too. */
export const TURN_SECRET_CHARS_MIN = 16;

export interface TurnCredential {
  username: string;
  credential: string;
  /** When coturn stops accepting it (Unix ms). */
  expiresAtMs: number;
}

export class TurnConfigError extends Error {
  override name = 'TurnConfigError';
}

export function turnCredential(
  secret: string,
  options: { nowMs: number; ttlS: number; id?: string },
): TurnCredential {
  if (secret.length < TURN_SECRET_CHARS_MIN) {
    throw new TurnConfigError(`the TURN secret must have at least ${TURN_SECRET_CHARS_MIN} chars`);
  }
  if (!(options.ttlS >= TURN_TTL_S_MIN && options.ttlS <= TURN_TTL_S_MAX)) {
    throw new TurnConfigError(`TURN_TTL_S must be ${TURN_TTL_S_MIN}..${TURN_TTL_S_MAX} seconds`);
  }
  const expiresAtS = Math.floor(options.nowMs / 1000) + options.ttlS;
  // The id only makes usernames distinct in coturn's logs; it carries no authority.
  const id = options.id ?? randomBytes(6).toString('hex');
  const username = `${expiresAtS}:${id}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAtMs: expiresAtS * 1000 };
}
