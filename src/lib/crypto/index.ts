export {
  exportPublicKey,
  generateSigningKey,
  signingKeyOf,
  VERIFY_KEY_CACHE_MAX,
  webCryptoSigner,
  webCryptoVerifier,
  type SigningKey,
} from './ed25519';
