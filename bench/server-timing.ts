// The Server-Timing header the benchmark's server adds (handler + serialisation time), in a
// module of its own: the client process reads it, and must not load the server to do so (the
// server's code would be counted in the client's memory).

export const SERVER_TIMING_HEADER = 'server-timing';

/** Parses `app;dur=12.3` → 12.3 (NaN when absent). */
export function serverTimingMs(header: string | null): number {
  const match = header ? /dur=([0-9.]+)/.exec(header) : null;
  return match ? Number(match[1]) : Number.NaN;
}
