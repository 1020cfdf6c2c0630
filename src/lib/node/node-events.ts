// The node's events to the UI (and any embedding app): one emitter every part reports through.
// A throwing listener is logged and skipped; it never breaks the node.

import type { NodeEvent } from './api';
import { NODE_LISTENERS_MAX } from './params';

export class NodeEvents {
  readonly #listeners = new Set<(event: NodeEvent) => void>();

  subscribe(listener: (event: NodeEvent) => void): () => void {
    if (this.#listeners.size >= NODE_LISTENERS_MAX) {
      throw new RangeError(`more than ${NODE_LISTENERS_MAX} node listeners`);
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: NodeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('node listener failed', error);
      }
    }
  }
}
