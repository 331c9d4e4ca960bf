// One load run with autocannon, summarised: successful req/s, p99 latency, and every failure counted.
import autocannon from 'autocannon';

/** A run is a result only when (almost) every response was a 2xx. */
export const MAX_ERROR_SHARE = 0.01;

/**
 * Drives `makeRequest()` (called once per request, so ids and bodies vary) against `url`
 * for `duration` seconds over `connections` connections.
 */
export async function measure({ url, duration, connections, makeRequest, timeout = 20 }) {
  const result = await autocannon({
    url,
    connections,
    duration,
    timeout,
    requests: [
      {
        // autocannon writes Content-Length into the headers object: give it a fresh one each time.
        setupRequest: (req) => {
          const r = makeRequest();
          return { ...req, ...r, headers: { ...req.headers, ...r.headers } };
        },
      },
    ],
  });
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  const statuses = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2')) statuses[code] = count;
  }
  if (result.errors) statuses.errors = result.errors;
  if (result.timeouts) statuses.timeouts = result.timeouts;
  const seconds = result.duration || duration;
  return {
    ok,
    failed,
    statuses,
    seconds,
    rps: ok / seconds,
    p99: result.latency.p99,
    valid: ok > 0 && failed <= MAX_ERROR_SHARE * (ok + failed),
  };
}
