// Browser entry of the preview node, bundled to an IIFE by the UI test and injected with
// `page.addInitScript` before the app boots: it installs the app's device override hook.
import { createPreviewDevice, type PreviewControl, type PreviewOptions } from './preview-node';

declare global {
  interface Window {
    /** Test control of the preview node (commit pending txs, raise a problem, ...). */
    __ledgerPreview?: PreviewControl;
    /** Options for the preview node, set by an earlier init script. */
    __ledgerPreviewOptions?: Partial<PreviewOptions>;
  }
}

const control = createPreviewDevice(window.__ledgerPreviewOptions);
window.__ledgerPreview = control;
window.__ledgerDeviceOverride = control.device;
