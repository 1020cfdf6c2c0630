// Every list the UI keeps in memory has a bound; older entries are dropped first.

/** Latest blocks kept for the live views and the plot. */
export const UI_BLOCKS_MAX = 100;
/** Latest consensus votes kept for the live consensus view. */
export const UI_VOTES_MAX = 100;
/** This device's activity entries kept in memory (the node's outbox holds the rest). */
export const UI_ACTIVITY_MAX = 200;
/** Blocks per explorer page. */
export const EXPLORER_PAGE_BLOCKS = 20;
/** Blocks shown in the network page's plot. */
export const PLOT_BLOCKS = 30;
