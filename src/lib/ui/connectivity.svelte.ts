// The browser's own online/offline signal, for pages shown before any node is open.
export class Connectivity {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  /** Starts listening; returns the function that stops. */
  listen(): () => void {
    const update = () => {
      this.online = navigator.onLine;
    };
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }
}
