/** Scenarios 5 and 7: `/shop` (products, the cart, checkout), `/checkout` and `/orders/:id`. */
import type { Html, RecordData, RouteContext } from 'methodical-server';
import { formError, input, select } from '../fields.js';
import { day, hidden, money, onceKey, page, signInFirst } from '../layout.js';

export const CATEGORIES = [
  ['books', 'Books'],
  ['stationery', 'Stationery'],
  ['gifts', 'Gifts'],
] as const;

/** The cart form names each quantity `qty.<product id>`. */
const QTY = 'qty.';
/** Lines one order may hold. */
const MAX_LINES = 50;

function productRow(ctx: RouteContext, p: RecordData, canBuy: boolean): Html {
  const { html } = ctx;
  const stock = typeof p.stock === 'number' ? p.stock : 0;
  return html`<tr data-product="${p.id}" data-price="${p.price}" data-updated="${p.updated}">
  <th scope="row">${p.name}</th>
  <td>${CATEGORIES.find(([v]) => v === p.category)?.[1] ?? ''}</td>
  <td class="num price">${money(p.price)}</td>
  <td class="num stock">${stock > 0 ? stock : html`<span class="out">sold out</span>`}</td>
  ${
    canBuy
      ? html`<td><label class="visually-hidden" for="qty-${p.id}">Quantity of ${p.name}</label>
    <input id="qty-${p.id}" class="qty" name="${QTY}${p.id}" type="number" inputmode="numeric" min="0" max="${stock}" value="0"${stock > 0 ? '' : html` disabled`}></td>`
      : ''
  }
</tr>`;
}

function addProductForm(ctx: RouteContext): Html {
  const { html } = ctx;
  return html`<details class="admin">
  <summary>Add a product (admins)</summary>
  <form method="post" action="/products" data-enhance data-json-api="/api/products">
    ${onceKey(ctx)}
    ${hidden(ctx, '_redirect', '/shop')}
    ${formError(ctx)}
    ${input(ctx, 'name', 'Name', { required: true, attrs: { maxlength: 120 } })}
    ${input(ctx, 'price', 'Price (€)', { type: 'number', required: true, attrs: { min: 0, step: '0.01' } })}
    ${select(ctx, 'category', 'Category', CATEGORIES, 'books', true)}
    ${input(ctx, 'stock', 'Stock', { type: 'number', value: 10, attrs: { min: 0 } })}
    <p><button type="submit">Add product</button></p>
  </form>
</details>`;
}

export async function shop(ctx: RouteContext) {
  const { html } = ctx;
  const products = await ctx.records.list('products', { sort: 'name', perPage: 100 });
  const canBuy = ctx.auth !== null;
  const rows = products.items.map((p) => productRow(ctx, p, canBuy));
  const orders = canBuy ? await ctx.records.list('orders', { sort: '-created', perPage: 5 }) : undefined;
  // data-live: app.js follows the products topic of /api/realtime and keeps price and stock current.
  const table = html`<table class="products" data-live="products">
  <caption class="visually-hidden">Products</caption>
  <thead><tr><th scope="col">Product</th><th scope="col">Category</th><th scope="col" class="num">Price</th><th scope="col" class="num">In stock</th>${canBuy ? html`<th scope="col">Quantity</th>` : ''}</tr></thead>
  <tbody>${rows}</tbody>
</table>
<p class="live-status muted" role="status" aria-live="polite" data-live-status></p>`;
  return page(
    ctx,
    { title: 'Shop', current: '/shop' },
    html`${
      canBuy
        ? html`<form method="post" action="/checkout" class="cart" data-cart>
  ${onceKey(ctx)}
  ${formError(ctx)}
  ${table}
  <p class="cart-total" hidden>Total: <strong data-total>€0.00</strong></p>
  <p><button type="submit">Check out</button></p>
  <p class="muted">Prices and stock are the server's: the order is written and stock taken in one transaction.</p>
</form>`
        : html`${table}${signInFirst(ctx, 'buy', '/shop')}`
    }
${ctx.auth?.admin ? addProductForm(ctx) : ''}
${
  orders && orders.items.length > 0
    ? html`<h2>Your orders</h2><ul>${orders.items.map(
        (o) => html`<li><a href="/orders/${o.id}">${day(o.created)}: ${money(o.total)}</a></li>`,
      )}</ul>`
    : ''
}`,
  );
}

/** The cart as order lines: JSON `{items}`, or the cart form's quantities. */
function cartItems(ctx: RouteContext): unknown {
  const body = ctx.body;
  if (body === null || typeof body !== 'object')
    return ctx.problem(400, 'Send the cart: {"items": [{"product", "quantity"}]}.');
  if (Array.isArray((body as { items?: unknown }).items)) return (body as { items: unknown[] }).items;
  const items: { product: string; quantity: number }[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (!name.startsWith(QTY) || typeof value !== 'string' || value === '' || value === '0') continue;
    const quantity = Number(value);
    if (!Number.isInteger(quantity))
      return ctx.problem(422, `The quantity “${value}” is not a whole number.`);
    items.push({ product: name.slice(QTY.length), quantity });
    if (items.length > MAX_LINES) return ctx.problem(413, `An order holds at most ${MAX_LINES} lines.`);
  }
  if (items.length === 0)
    return ctx.problem(422, 'The cart is empty: choose a quantity for at least one product.');
  return items;
}

/** `POST /checkout`: the order, priced and taken from stock by the orders hook, in this request's transaction. */
export async function checkout(ctx: RouteContext) {
  if (!ctx.auth) return ctx.problem(401, 'Sign in to check out.');
  const order = await ctx.records.create('orders', { items: cartItems(ctx) });
  if (ctx.prefersHtml) return ctx.redirect(`/orders/${order.id}`);
  return ctx.json(order, { status: 201, headers: { location: `/api/orders/${order.id}` } });
}

export async function orderPage(ctx: RouteContext) {
  const { html } = ctx;
  const order = await ctx.records.get('orders', ctx.params.id);
  if (!order) return ctx.problem(404, 'There is no such order, or it is not yours.');
  const lines = (Array.isArray(order.items) ? order.items : []) as Record<string, unknown>[];
  return page(
    ctx,
    { title: 'Thank you for your order', current: '/shop' },
    html`<p>Order placed ${day(order.created)}.</p>
<table class="order">
  <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Price</th><th scope="col" class="num">Line</th></tr></thead>
  <tbody>${lines.map(
    (l) =>
      html`<tr><th scope="row">${l.name}</th><td class="num">${l.quantity}</td><td class="num">${money(l.price)}</td><td class="num">${money(l.subtotal)}</td></tr>`,
  )}</tbody>
  <tfoot><tr><th scope="row" colspan="3">Total</th><td class="num"><strong>${money(order.total)}</strong></td></tr></tfoot>
</table>
<p><a href="/shop">Back to the shop</a></p>`,
  );
}
