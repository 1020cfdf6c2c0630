import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The page's Content-Security-Policy. SvelteKit writes it into the built page as a <meta> tag
 * (with the hashes of its own inline scripts), so a copy on any static host has it; the app
 * server sends the same policy as a header plus what only a header can carry (frame-ancestors).
 * Scripts and workers come only from this origin; connections may go to any relay or config
 * host (https/wss; ws for loopback and LAN setups), which invites name at run time; images are
 * this origin's or data: URLs (the invite QR code); styles may be inline (Svelte's transitions
 * and style attributes). WebRTC is not governed by CSP.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ['self'],
  'script-src': ['self'],
  'worker-src': ['self'],
  'connect-src': ['self', 'https:', 'wss:', 'ws:'],
  'img-src': ['self', 'data:'],
  'style-src': ['self', 'unsafe-inline'],
  'font-src': ['self'],
  'manifest-src': ['self'],
  'object-src': ['none'],
  'base-uri': ['self'],
  'form-action': ['self'],
  'frame-src': ['none'],
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: every route falls back to index.html; the node runs in the tab.
    adapter: adapter({ fallback: 'index.html' }),
    csp: { mode: 'hash', directives: CONTENT_SECURITY_POLICY },
  },
};

export default config;
