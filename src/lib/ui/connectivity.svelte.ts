// The browser's connectivity events, for pages shown before any node is open. Only an
// `offline` event during this visit counts: navigator.onLine can read false at load on
// machines whose network the browser does not recognise, while the ledger's relay works.
export class Connectivity {
  wentOffline = $state(false);

  /** Starts listening; returns the function that stops. */
  listen(): () => void {
    const offline = () => (this.wentOffline = true);
    const online = () => (this.wentOffline = false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }
}
