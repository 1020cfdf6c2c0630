export {
  exportPublicKey,
  generateSigningKey,
  signingKeyOf,
  VERIFY_KEY_CACHE_MAX,
  webCryptoSigner,
  webCryptoVerifier,
  type SigningKey,
} from './ed25519';
export {
  cachingVerifier,
  VERDICT_CACHE_ENTRIES_MAX,
  type CachingVerifier,
} from './caching-verifier';
