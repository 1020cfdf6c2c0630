// A tiny assertion shim for the store conformance suite: it runs under Vitest in Node and inside
// a real Chromium page (where Vitest's expect is not available), so it throws plain Errors.

export class CheckError extends Error {
  override name = 'CheckError';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckError(message);
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array)
    return `bytes(${value.length})[${[...value.slice(0, 8)].join(',')}…]`;
  if (value instanceof Map) return `Map(${value.size})`;
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Structural difference (Maps compared as key sets, bytes by content), or null if equal. */
export function difference(actual: unknown, expected: unknown, path = '$'): string | null {
  if (Object.is(actual, expected)) return null;
  if (actual instanceof Uint8Array || expected instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array && expected instanceof Uint8Array)) {
      return `${path}: ${describe(actual)} vs ${describe(expected)}`;
    }
    if (actual.length !== expected.length || actual.some((byte, i) => byte !== expected[i])) {
      return `${path}: ${describe(actual)} vs ${describe(expected)}`;
    }
    return null;
  }
  if (actual instanceof Map || expected instanceof Map) {
    if (!(actual instanceof Map && expected instanceof Map)) return `${path}: Map vs non-Map`;
    if (actual.size !== expected.size) return `${path}: size ${actual.size} vs ${expected.size}`;
    for (const [key, value] of expected) {
      if (!actual.has(key)) return `${path}: missing key ${String(key)}`;
      const inner = difference(actual.get(key), value, `${path}.get(${String(key)})`);
      if (inner) return inner;
    }
    return null;
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!(Array.isArray(actual) && Array.isArray(expected))) return `${path}: array vs non-array`;
    if (actual.length !== expected.length)
      return `${path}: length ${actual.length} vs ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const inner = difference(actual[i], expected[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return null;
  }
  if (typeof actual === 'object' && typeof expected === 'object' && actual && expected) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    for (const key of keys) {
      const inner = difference(a[key], e[key], `${path}.${key}`);
      if (inner) return inner;
    }
    return null;
  }
  return `${path}: ${describe(actual)} vs ${describe(expected)}`;
}

export function checkEqual(actual: unknown, expected: unknown, message: string): void {
  const diff = difference(actual, expected);
  if (diff !== null) throw new CheckError(`${message}: ${diff}`);
}

/** Awaits `promise` and checks it rejects with an instance of `type`; returns the error. */
export async function checkRejects<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  message: string,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new CheckError(`${message}: rejected with ${String(error)}, expected ${type.name}`);
  }
  throw new CheckError(`${message}: resolved, expected ${type.name}`);
}
