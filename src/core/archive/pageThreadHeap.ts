/**
 * The young generation of the threads that carry pages: the sync thread (a reply's texts, their
 * parse, the packed page) and the store threads (the page as it arrives). Each page makes a few
 * megabytes that die within its step; in V8's default young generation a minor GC comes every
 * few pages and copies the pages still in hand each time. At 64 MB those GCs are rarer and the
 * pages mostly dead by then. Corps bench (20 corps × 20k messages), the pass's CPU beyond the
 * floor's, three alternating runs each: default 9.9 / 7.9 / 8.1 s, 64 MB 7.6 / 7.2 / 6.7 s,
 * 128 MB 8.2 / 9.4 / 6.4 s (no better). Two store threads and one sync thread: at most 3 × 64 MB,
 * held after the pages stop until V8's memory reducer gives it back (about 50 s in the corps bench).
 */
const PAGE_THREAD_YOUNG_GENERATION_MB = 64;

export const pageThreadLimits = { resourceLimits: { maxYoungGenerationSizeMb: PAGE_THREAD_YOUNG_GENERATION_MB } } as const;
