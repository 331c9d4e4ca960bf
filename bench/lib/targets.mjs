// The goals Methodical is held to, checked on every run. One entry per target; `measure(get)`
// returns [value, reference] from `get(size, operationKey, serverKey)` results.

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
];

/**
 * Evaluates every target. A target whose runs are missing is SKIP; one whose runs were mostly
 * errors is FAIL (an invalid run is not a result).
 */
export function checkTargets(get) {
  return targets.map((t) => {
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
