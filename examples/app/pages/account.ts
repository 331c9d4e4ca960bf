/** Scenarios 2 and 3: `/register` and `/login`. */
import type { RouteContext } from 'methodical-server';
import { formError, input } from '../fields.js';
import { hidden, nextPath, onceKey, page } from '../layout.js';

export function register(ctx: RouteContext) {
  const { html } = ctx;
  const next = nextPath(ctx, '/');
  if (ctx.auth) return ctx.redirect(next);
  return page(
    ctx,
    { title: 'Create an account' },
    html`<p>Your password is stored only as an Argon2id hash. You are signed in once the account exists.</p>
<form method="post" action="/register" data-enhance data-signs-in>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', next)}
  ${formError(ctx)}
  ${input(ctx, 'email', 'Email', { type: 'email', required: true, attrs: { autocomplete: 'email' } })}
  ${input(ctx, 'password', 'Password', {
    type: 'password',
    required: true,
    attrs: { minlength: 8, maxlength: 256, autocomplete: 'new-password' },
    hint: 'At least 8 characters.',
  })}
  ${input(ctx, 'name', 'Name (shown with your reviews)', { attrs: { maxlength: 200, autocomplete: 'nickname' } })}
  <p><button type="submit">Create account</button></p>
</form>
<p>Have an account? <a href="/login?${new URLSearchParams({ next })}">Sign in</a>.</p>`,
  );
}

export function login(ctx: RouteContext) {
  const { html } = ctx;
  const next = nextPath(ctx, '/');
  if (ctx.auth) return ctx.redirect(next);
  return page(
    ctx,
    { title: 'Sign in' },
    html`<form method="post" action="/login" data-enhance data-signs-in>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', next)}
  ${formError(ctx)}
  ${input(ctx, 'email', 'Email', { type: 'email', required: true, attrs: { autocomplete: 'username' } })}
  ${input(ctx, 'password', 'Password', { type: 'password', required: true, attrs: { autocomplete: 'current-password' } })}
  <p><button type="submit">Sign in</button></p>
</form>
<p>New here? <a href="/register?${new URLSearchParams({ next })}">Create an account</a>.</p>`,
  );
}
