// Timers backed by a dedicated Worker (see timer-worker.ts), for the tab's node.
import type { Timers } from './clock';

export function workerTimers(): Timers & { terminate(): void } {
  const worker = new Worker(new URL('./timer-worker.ts', import.meta.url), { type: 'module' });
  const callbacks = new Map<number, () => void>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<number>) => {
    const callback = callbacks.get(event.data);
    callbacks.delete(event.data);
    callback?.();
  };
  return {
    after(delayMs, callback) {
      const id = nextId++;
      callbacks.set(id, callback);
      worker.postMessage({ op: 'set', id, delayMs });
      return () => {
        if (callbacks.delete(id)) worker.postMessage({ op: 'clear', id });
      };
    },
    terminate() {
      callbacks.clear();
      worker.terminate();
    },
  };
}
