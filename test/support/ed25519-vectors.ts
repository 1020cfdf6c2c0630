// Ed25519 acceptance vectors: the protocol's rule (docs/protocol.md, "Signatures") pinned on
// every edge case. Shared by the Node test (test/unit/core/ed25519-vectors.test.ts) and the
// Chromium page (test/browser/pages/ed25519-vectors.ts), which must reach the same verdicts.
//
// The first 12 are the vectors of Chalkias, Garillot, Nikolaenko, "Taming the many EdDSAs"
// (SSR 2020; github.com/novifinancial/ed25519-speccheck cases.txt). The rest are ours.

import type { SignatureRejection } from '../../src/lib/core/signing';

export interface Ed25519Vector {
  name: string;
  /** Hex. */
  publicKey: string;
  message: string;
  signature: string;
  /** The protocol's verdict. */
  accept: boolean;
  /** What precheckSignature says (null = passes to the curve check). */
  precheck: SignatureRejection | null;
}

export const ED25519_VECTORS: Ed25519Vector[] = [
  {
    name: 'speccheck 0: S = 0, A and R small-order (cofactorless equation holds)',
    publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    message: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6',
    signature:
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'speccheck 1: S > 0, A small-order, R mixed-order',
    publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    signature:
      'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'speccheck 2: S > 0, A mixed-order, R small-order',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    message: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab',
    signature:
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e',
    accept: false,
    precheck: 'small-order-r',
  },
  {
    name: 'speccheck 3: S > 0, A and R mixed-order, cofactorless equation holds',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    signature:
      '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009',
    accept: true,
    precheck: null,
  },
  {
    name: 'speccheck 4: cofactored equation holds, cofactorless does not',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    signature:
      '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09',
    accept: false,
    precheck: null,
  },
  {
    name: 'speccheck 5: cofactored equation holds, cofactorless does not (pre-reduced hash)',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    signature:
      '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405',
    accept: false,
    precheck: null,
  },
  {
    name: 'speccheck 6: S >= L (malleated)',
    publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    signature:
      'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514',
    accept: false,
    precheck: 's-not-reduced',
  },
  {
    name: 'speccheck 7: S much larger than L',
    publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    signature:
      '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22',
    accept: false,
    precheck: 's-not-reduced',
  },
  {
    name: 'speccheck 8: R non-canonical small-order (x = 0 with sign bit)',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    signature:
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f',
    accept: false,
    precheck: 'small-order-r',
  },
  {
    name: 'speccheck 9: R non-canonical small-order, k reduced differently',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    signature:
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908',
    accept: false,
    precheck: 'small-order-r',
  },
  {
    name: 'speccheck 10: A non-canonical small-order (x = 0 with sign bit), pre-reduced k',
    publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    message: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b',
    signature:
      'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'speccheck 11: A non-canonical small-order (x = 0 with sign bit), hash over the non-canonical A',
    publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    message: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f',
    signature:
      'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'RFC 8032 test 1: valid',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: true,
    precheck: null,
  },
  {
    name: 'RFC 8032 test 1 over another message',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '00',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: null,
  },
  {
    name: 'RFC 8032 test 1 with S + L (malleated)',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901554c8c7872aa064e049dbb3013fbf29380d25bf5f0595bbe24655141438e7a101b',
    accept: false,
    precheck: 's-not-reduced',
  },
  {
    name: 'S = L exactly',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010',
    accept: false,
    precheck: 's-not-reduced',
  },
  {
    name: 'A non-canonical, y = p + 3 (on the curve, not small-order)',
    publicKey: 'f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'non-canonical-key',
  },
  {
    name: 'R non-canonical, y = p + 3',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'non-canonical-r',
  },
  {
    name: 'A not on the curve (y = 2)',
    publicKey: '0200000000000000000000000000000000000000000000000000000000000000',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: null,
  },
  {
    name: 'A = identity',
    publicKey: '0100000000000000000000000000000000000000000000000000000000000000',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'A = identity with the sign bit set',
    publicKey: '0100000000000000000000000000000000000000000000000000000000000080',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'A of order 4 (y = 0)',
    publicKey: '0000000000000000000000000000000000000000000000000000000000000000',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'A non-canonical y = p (encodes y = 0)',
    publicKey: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'non-canonical-key',
  },
  {
    name: 'A non-canonical y = p + 1 (encodes the identity)',
    publicKey: 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'non-canonical-key',
  },
  {
    name: 'R = identity, S = 0 with a small-order key (trivial forgery)',
    publicKey: '0100000000000000000000000000000000000000000000000000000000000000',
    message: '',
    signature:
      '01000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    accept: false,
    precheck: 'small-order-key',
  },
  {
    name: 'signature of 63 bytes',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a10',
    accept: false,
    precheck: 'bad-signature-length',
  },
  {
    name: 'public key of 31 bytes',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f70751',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    accept: false,
    precheck: 'bad-key-length',
  },
];

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
