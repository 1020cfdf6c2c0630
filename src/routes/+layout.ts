// A client-only single-page app: the full node lives in the tab, there is no server rendering.
export const ssr = false;
export const prerender = false;
