import { describe, expect, it } from 'vitest';
import { authorSeqnoId, gossipOptions } from '../../../src/lib/net/gossip-config';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('gossip options', () => {
  it('look duplicates up by author and seqno before checking signatures', () => {
    const options = gossipOptions(['c0ffee']);
    expect(options.globalSignaturePolicy).toBe('StrictSign');
    expect(options.fastMsgIdFn).toBe(authorSeqnoId);
  });

  it('give one id per (author, seqno), whatever the data and signature', () => {
    const message = { from: bytes(1, 2), seqno: bytes(0, 7), topic: 't', data: bytes(9) };
    const id = authorSeqnoId(message);
    expect(authorSeqnoId({ ...message, data: bytes(8), signature: bytes(1) })).toBe(id);
    expect(authorSeqnoId({ ...message, seqno: bytes(0, 8) })).not.toBe(id);
    expect(authorSeqnoId({ ...message, from: bytes(1, 3) })).not.toBe(id);
    // The separator keeps (from, seqno) pairs with the same concatenation apart.
    expect(authorSeqnoId({ ...message, from: bytes(1), seqno: bytes(2, 0, 7) })).not.toBe(id);
  });
});
