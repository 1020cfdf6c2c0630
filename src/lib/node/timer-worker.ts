// Runs the node's consensus timers in a dedicated Worker: browsers throttle timers of hidden tabs
// (down to one wake-up per minute after a while), which would stall a validator's rounds; timers
// in a dedicated worker keep their timing. The worker only counts time and posts back ids.
/// <reference lib="webworker" />

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handles = new Map<number, ReturnType<typeof setTimeout>>();

scope.onmessage = (event: MessageEvent<{ op: 'set' | 'clear'; id: number; delayMs?: number }>) => {
  const { op, id, delayMs } = event.data;
  if (op === 'set') {
    handles.set(
      id,
      setTimeout(() => {
        handles.delete(id);
        scope.postMessage(id);
      }, delayMs ?? 0),
    );
  } else {
    const handle = handles.get(id);
    if (handle !== undefined) clearTimeout(handle);
    handles.delete(id);
  }
};
