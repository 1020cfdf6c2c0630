// The open ledger's reactive state, shared by every page under /ledger/[chainId] through
// Svelte context (set by that route's layout once the node has started).
import { getContext, setContext } from 'svelte';
import type { NodeState } from './node-state.svelte';

const key = Symbol('ledger');

export function setLedger(state: NodeState): void {
  setContext(key, state);
}

export function getLedger(): NodeState {
  const state = getContext<NodeState | undefined>(key);
  if (!state) throw new Error('getLedger() used outside /ledger/[chainId]');
  return state;
}
