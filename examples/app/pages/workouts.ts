/** Scenario 6: `/workouts` and `GET /api/workouts/summary`, totals per type from the database. */
import type { AggregateRow, RouteContext } from 'methodical-server';
import { formError, input, select } from '../fields.js';
import { day, hidden, onceKey, page, signInFirst } from '../layout.js';

export const TYPES = [
  ['run', 'Run'],
  ['ride', 'Ride'],
  ['swim', 'Swim'],
  ['walk', 'Walk'],
  ['strength', 'Strength'],
] as const;

function typeName(type: unknown): string {
  return TYPES.find(([v]) => v === type)?.[1] ?? String(type ?? '');
}

/** The caller's totals per workout type (their own only: the list rule is `owner`). */
export function totals(ctx: RouteContext): Promise<AggregateRow[]> {
  return ctx.records.aggregate('workouts', { groupBy: ['type'], sum: ['duration', 'distance'] });
}

/** `GET /api/workouts/summary`. */
export async function summary(ctx: RouteContext) {
  return { items: await totals(ctx) };
}

function km(value: unknown): string {
  return typeof value === 'number' ? `${Math.round(value * 10) / 10} km` : '';
}

export async function workouts(ctx: RouteContext) {
  const { html } = ctx;
  if (!ctx.auth) {
    return page(
      ctx,
      { title: 'Workouts', current: '/workouts' },
      signInFirst(ctx, 'keep a workout log', '/workouts'),
    );
  }
  const [rows, recent] = await Promise.all([
    totals(ctx),
    ctx.records.list('workouts', { sort: '-date,-created', perPage: 20 }),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  return page(
    ctx,
    { title: 'Workouts', current: '/workouts' },
    html`<form method="post" action="/workouts" data-enhance data-refresh-summary>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', '/workouts')}
  ${formError(ctx)}
  ${select(ctx, 'type', 'Type', TYPES, 'run', true)}
  ${input(ctx, 'duration', 'Duration (minutes)', { type: 'number', required: true, attrs: { min: 1, max: 1440 } })}
  ${input(ctx, 'distance', 'Distance (km)', { type: 'number', attrs: { min: 0, step: '0.1' } })}
  ${input(ctx, 'date', 'Date', { type: 'date', required: true, value: today })}
  <p><button type="submit">Log workout</button> <span class="form-status" role="status"></span></p>
</form>
<section aria-labelledby="totals">
  <h2 id="totals">Your totals</h2>
  <table class="totals" data-summary>
    <thead><tr><th scope="col">Type</th><th scope="col" class="num">Workouts</th><th scope="col" class="num">Minutes</th><th scope="col" class="num">Distance</th></tr></thead>
    <tbody>${
      rows.length === 0
        ? html`<tr><td colspan="4">Nothing logged yet.</td></tr>`
        : rows.map(
            (r) =>
              html`<tr><th scope="row">${typeName(r.type)}</th><td class="num">${r.count}</td><td class="num">${r.duration}</td><td class="num">${km(r.distance)}</td></tr>`,
          )
    }</tbody>
  </table>
  <p class="muted">Computed by the database with one grouped query; the same as <a href="/api/workouts/summary">/api/workouts/summary</a>.</p>
</section>
${
  recent.items.length > 0
    ? html`<h2>Recent</h2><ul class="workouts">${recent.items.map(
        (w) =>
          html`<li>${day(w.date)}: ${typeName(w.type)}, ${w.duration} min${w.distance ? html`, ${km(w.distance)}` : ''}</li>`,
      )}</ul>`
    : ''
}`,
  );
}
