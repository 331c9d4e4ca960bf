/** IMF-fixdate (RFC 9110 §5.6.7) of a time, truncated to the second. */
export function httpDate(time: Date | string): string {
  return (typeof time === 'string' ? new Date(time) : time).toUTCString();
}

/** Parse an HTTP date; undefined when it is not a valid date. */
export function parseHttpDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Seconds since the epoch, the precision of Last-Modified comparisons. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
