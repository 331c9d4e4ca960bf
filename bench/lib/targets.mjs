// The goals Methodical is held to, checked on every run. One entry per target: either `measure(get)`
// returning [value, reference] from `get(size, operationKey, serverKey)` results, whose ratio must be
// at least `min`, or `check(get)` returning { verdict, note } itself.

const MiB = 1024 * 1024;

export const targets = [
  {
    label: 'GET by id at 1,000: Methodical ≥ 0.7 × ceiling',
    min: 0.7,
    measure: (get) => [get(1000, 'get', 'methodical'), get(1000, 'get', 'ceiling')],
  },
  {
    label: 'POST at 100,000: Methodical ≥ 0.4 × ceiling',
    min: 0.4,
    measure: (get) => [get(100000, 'post', 'methodical'), get(100000, 'post', 'ceiling')],
  },
  {
    label: 'Methodical POST at 100,000 within 20% of its rate at 1,000',
    min: 0.8,
    measure: (get) => [get(100000, 'post', 'methodical'), get(1000, 'post', 'methodical')],
  },
  {
    label: 'Methodical filtered list at 100,000 within 20% of its rate at 1,000',
    min: 0.8,
    measure: (get) => [get(100000, 'list', 'methodical'), get(1000, 'list', 'methodical')],
  },
  {
    label: 'Upload of 100 MiB: Methodical RSS growth < 30 MiB',
    check(get) {
      const r = get('once', 'upload', 'methodical');
      if (!r || r.skipped || r.error) return { verdict: 'SKIP', note: 'not measured in this run' };
      if (!r.rss) return { verdict: 'SKIP', note: 'no /proc/<pid>/status to read RSS from' };
      const growth = (r.rss.peak - r.rss.baseline) / MiB;
      const size = r.bytes / MiB;
      const measured = `${growth.toFixed(1)} MiB (${(r.rss.baseline / MiB).toFixed(0)} → ${(r.rss.peak / MiB).toFixed(0)} MiB, ${r.rss.samples} samples)`;
      if (!r.intact) return { verdict: 'FAIL', note: `${measured}; the file came back different` };
      if (size < 100)
        return { verdict: 'SKIP', note: `${measured} for ${size} MiB (BENCH_UPLOAD_MIB < 100)` };
      return { verdict: growth < 30 ? 'PASS' : 'FAIL', note: `${measured}; needs < 30` };
    },
  },
];

/**
 * Evaluates every target. A target whose runs are missing is SKIP; one whose runs were mostly
 * errors is FAIL (an invalid run is not a result).
 */
export function checkTargets(get) {
  return targets.map((t) => {
    if (t.check) return { ...t, ...t.check(get) };
    const [value, reference] = t.measure(get);
    if (!value || !reference || value.skipped || reference.skipped || value.error || reference.error) {
      return { ...t, verdict: 'SKIP', note: 'not measured in this run' };
    }
    if (!value.valid || !reference.valid) {
      return { ...t, verdict: 'FAIL', note: 'run had errors (non-2xx, socket errors or timeouts)' };
    }
    const ratio = value.rps / reference.rps;
    return {
      ...t,
      ratio,
      verdict: ratio >= t.min ? 'PASS' : 'FAIL',
      note: `${ratio.toFixed(2)} (${Math.round(value.rps)} / ${Math.round(reference.rps)} req/s; needs ≥ ${t.min})`,
    };
  });
}
