/**
 * EXAMPLE-APP.md scenarios 1–3 in a real browser, with JavaScript off and
 * on: the newsletter form, registering, signing in (form and fetch).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  assertSignedIn,
  BOTH,
  context,
  describeExample,
  doubleSubmit,
  newAccount,
  pathOf,
  registerIn,
  screenshots,
  signIn,
} from './example-site.js';

describeExample('the example app: forms and accounts', (s) => {
  for (const [how, js] of BOTH) {
    it(`1. the newsletter form ${how}: 303 to a thank-you page, a reload or a double click signs up once`, async () => {
      const ctx = await context(s.browser, js);
      const page = await ctx.newPage();
      const email = `News.${js}@Example.COM`;
      await page.goto(`${s.site.origin}/newsletter`);
      await screenshots(page, `newsletter-${js ? 'js' : 'nojs'}`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Name').fill('Ada');
      // A double click: the second submit carries the same key, so it replays the first.
      await doubleSubmit(page, 'Sign up', `${s.site.origin}/newsletter/thanks`);
      assert.match((await page.locator('main').textContent()) ?? '', /You are on the list/);
      await page.reload();
      assert.equal(pathOf(page), '/newsletter/thanks');
      const rows = s.site.rows('subscribers', 'email = ?', email.toLowerCase());
      assert.equal(rows.length, 1, 'one subscriber, however often the form went');
      assert.equal(rows[0].name, 'Ada');
      await ctx.close();
    });

    it(`2. registering ${how}: the account is made, the browser signed in, the password only a hash; a taken email says so`, async () => {
      const ctx = await context(s.browser, js);
      const page = await ctx.newPage();
      const account = newAccount('member');
      await registerIn(page, s.site, account);
      const [user] = s.site.rows('users', 'email = ?', account.email.toLowerCase());
      assert.ok(user, 'the user row exists');
      const stored = JSON.stringify(user);
      assert.ok(!stored.includes(account.password), 'the password is never stored');
      assert.match(stored, /\$argon2id\$/, 'only its Argon2id hash');
      assert.equal(user.name, account.name);

      const other = await (await context(s.browser, js)).newPage();
      await other.goto(`${s.site.origin}/register`);
      await other.getByLabel('Email').fill(account.email);
      await other.getByLabel('Password').fill('another long password');
      await other.getByRole('button', { name: 'Create account' }).click();
      if (js) {
        await other.locator('.form-error').waitFor();
        assert.match((await other.locator('.form-error').textContent()) ?? '', /^409: .*already/i);
        assert.equal(pathOf(other), '/register', 'the message is shown in place');
      } else {
        await other.waitForLoadState();
        assert.match((await other.locator('main').textContent()) ?? '', /Error 409[\s\S]*email is taken/);
      }
      assert.equal(s.site.rows('users', 'email = ?', account.email.toLowerCase()).length, 1);
      await other.context().close();
      await ctx.close();
    });

    it(`3. signing in ${how}: a session cookie that is HttpOnly; a wrong password one generic message`, async () => {
      const account = newAccount('login');
      const setup = await (await context(s.browser, false)).newPage();
      await registerIn(setup, s.site, account);
      await setup.context().close();

      const ctx = await context(s.browser, js);
      const page = await ctx.newPage();
      await page.goto(`${s.site.origin}/login`);
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      if (js) {
        await page.locator('.form-error').waitFor();
        assert.match((await page.locator('.form-error').textContent()) ?? '', /^401: /);
      } else {
        await page.waitForLoadState();
        assert.match(
          (await page.locator('main').textContent()) ?? '',
          /Error 401[\s\S]*Wrong email or password/,
        );
      }
      await signIn(page, s.site, account);
      const cookie = (await ctx.cookies()).find((c) => c.name === 'methodical_session');
      assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
      assert.equal(cookie?.sameSite, 'Lax');
      await ctx.close();
    });
  }

  it('3. fetch("/login") with JSON answers 200 {token, user}; repeated failures are slowed down with 429', async () => {
    const account = newAccount('fetcher');
    const ctx = await context(s.browser, true);
    const page = await ctx.newPage();
    await registerIn(page, s.site, account);
    await ctx.clearCookies();
    await page.goto(`${s.site.origin}/login`);
    const ok = await page.evaluate(async ({ email, password }) => {
      const res = await fetch('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return { status: res.status, body: (await res.json()) as { token: unknown; user: { email: string } } };
    }, account);
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.body.token, 'string');
    assert.equal(ok.body.user.email, account.email.toLowerCase());
    await page.goto(`${s.site.origin}/`);
    await assertSignedIn(page, account);

    const statuses = await page.evaluate(async (email) => {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch('/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email, password: 'wrong every time' }),
        });
        out.push(res.status);
      }
      return out;
    }, account.email);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses.at(-1), 429, `slowed down after ten failures: ${statuses}`);
    await ctx.close();
  });
});
