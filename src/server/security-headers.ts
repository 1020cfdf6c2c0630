// Security headers of the app server. The Content-Security-Policy itself is defined once, in
// svelte.config.js: SvelteKit writes it into each built page as a <meta> tag, with the hashes
// of its inline bootstrap script (so a copy of the app on a static host is protected too). The
// server sends that same policy as a header, read from the page it serves (a rebuilt page's new
// hashes are picked up without a restart), and adds what a <meta> policy cannot carry:
// frame-ancestors 'none' (browsers ignore it in <meta>), so no other site can frame the app and
// trick a click on "Approve".

/** On every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // Invite links carry secrets in the fragment (never sent), but paths say which ledger page
  // was open: nothing goes to other sites.
  'referrer-policy': 'no-referrer',
};

/** Directives only a header can carry. */
export const HEADER_ONLY_POLICY = "frame-ancestors 'none'";

const META_POLICY =
  /<meta\s+http-equiv=["']content-security-policy["']\s+content=(?:"([^"]*)"|'([^']*)')\s*\/?>/i;

/** The policy a page's <meta http-equiv="content-security-policy"> states, if any. */
export function metaPolicy(html: string): string | null {
  const match = META_POLICY.exec(html);
  const policy = match?.[1] ?? match?.[2];
  return policy === undefined ? null : policy.replaceAll('&#39;', "'").replaceAll('&quot;', '"');
}

/** The headers of a served page: its own policy plus frame-ancestors, and no framing. */
export function pageHeaders(html: string): Record<string, string> {
  const policy = metaPolicy(html);
  return {
    'content-security-policy': policy ? `${policy}; ${HEADER_ONLY_POLICY}` : HEADER_ONLY_POLICY,
    // For browsers without frame-ancestors.
    'x-frame-options': 'DENY',
  };
}
