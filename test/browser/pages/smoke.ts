import { BLOCK_TXS_MAX } from '$lib/core/params';

declare global {
  interface Window {
    smoke: { blockTxsMax: number; hasIndexedDb: boolean; hasWebRtc: boolean };
  }
}

window.smoke = {
  blockTxsMax: BLOCK_TXS_MAX,
  hasIndexedDb: typeof indexedDB !== 'undefined',
  hasWebRtc: typeof RTCPeerConnection !== 'undefined',
};
