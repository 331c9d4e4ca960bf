/** Scenario 1: `/newsletter`, a plain form that POSTs once, then a thank-you page. */
import type { RouteContext } from 'methodical-server';
import { formError, input } from '../fields.js';
import { hidden, onceKey, page } from '../layout.js';

export function newsletter(ctx: RouteContext) {
  const { html } = ctx;
  return page(
    ctx,
    { title: 'The newsletter', current: '/newsletter' },
    html`<p>One email a month about new books. Sign up here; the form works with JavaScript off,
and a double click still signs you up once.</p>
<form method="post" action="/newsletter" data-enhance>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', '/newsletter/thanks')}
  ${formError(ctx)}
  ${input(ctx, 'email', 'Email', { type: 'email', required: true, attrs: { autocomplete: 'email' } })}
  ${input(ctx, 'name', 'Name', { attrs: { autocomplete: 'name', maxlength: 100 } })}
  <p><button type="submit">Sign up</button></p>
</form>`,
  );
}

export function thanks(ctx: RouteContext) {
  return page(
    ctx,
    { title: 'Thank you', current: '/newsletter' },
    ctx.html`<p class="success">You are on the list. Reloading this page signs nobody up twice:
the form answered with a redirect here (Post/Redirect/Get).</p>
<p><a href="/">Back to the start</a></p>`,
  );
}
