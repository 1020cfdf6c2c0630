import { PAGE_ROWS_MAX } from './limits';

/** The rows one page of a listing returns: what the caller asked, within 0..PAGE_ROWS_MAX. */
export function pageLimit(limit: number): number {
  return Math.max(0, Math.min(limit, PAGE_ROWS_MAX));
}
