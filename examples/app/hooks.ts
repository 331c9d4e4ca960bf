/**
 * The example's hooks: checkout (prices from the server, stock checked and
 * taken in the order's own transaction), reviewer names and subscribers'
 * emails. (A book's reviews go with it by the relation's onDelete, not a hook.)
 */
import type { CollectionHooks, HookContext, RecordData } from 'methodical-server';

/** Lines one order may hold, and the most of one product per line. */
const MAX_LINES = 50;
const MAX_QUANTITY = 1000;

const cents = (n: number) => Math.round(n * 100) / 100;

interface Wanted {
  product: string;
  quantity: number;
}

/** The order's lines as sent, checked: products named once each, quantities whole and at least 1. */
function wantedLines(ctx: HookContext): Wanted[] {
  const items = ctx.record?.items;
  if (!Array.isArray(items) || items.length === 0) {
    return ctx.reject(
      422,
      'An order needs at least one line: "items": [{"product": "<id>", "quantity": 1}].',
    );
  }
  if (items.length > MAX_LINES) return ctx.reject(422, `An order may hold at most ${MAX_LINES} lines.`);
  const wanted = new Map<string, number>();
  items.forEach((item: unknown, i) => {
    const { product, quantity } = (item ?? {}) as Record<string, unknown>;
    if (typeof product !== 'string' || product === '') {
      ctx.reject(422, `Line ${i + 1}: "product" must be a product id.`);
    }
    if (
      typeof quantity !== 'number' ||
      !Number.isInteger(quantity) ||
      quantity < 1 ||
      quantity > MAX_QUANTITY
    ) {
      ctx.reject(422, `Line ${i + 1}: "quantity" must be a whole number from 1 to ${MAX_QUANTITY}.`);
    }
    wanted.set(product as string, (wanted.get(product as string) ?? 0) + (quantity as number));
  });
  return [...wanted].map(([product, quantity]) => ({ product, quantity }));
}

export const orders: CollectionHooks = {
  async beforeCreate(ctx) {
    const lines = [];
    let total = 0;
    for (const { product, quantity } of wantedLines(ctx)) {
      const p = await ctx.tx.get('products', product);
      if (!p) return ctx.reject(422, `There is no product "${product}".`);
      const stock = typeof p.stock === 'number' ? p.stock : 0;
      if (stock < quantity) {
        return ctx.reject(
          409,
          `Out of stock: ${stock === 0 ? 'no' : `only ${stock}`} “${p.name}” left, and the order wants ${quantity}. Nothing was charged.`,
        );
      }
      await ctx.tx.update('products', p.id, { stock: stock - quantity });
      // The price is the server's, whatever the client sent.
      const price = typeof p.price === 'number' ? p.price : 0;
      const subtotal = cents(price * quantity);
      lines.push({ product: p.id, name: p.name, quantity, price, subtotal });
      total += subtotal;
    }
    const record = ctx.record as Record<string, unknown>;
    record.items = lines;
    record.total = cents(total);
  },
};

export const reviews: CollectionHooks = {
  // The reviewer's name is copied from their account, so the public sees a name and never an email.
  async beforeCreate(ctx) {
    const user = ctx.auth ? await ctx.tx.get('users', ctx.auth.id) : null;
    const name = typeof user?.name === 'string' && user.name.trim() !== '' ? user.name.trim() : 'A reader';
    (ctx.record as Record<string, unknown>).reviewer = name;
  },
  async beforeUpdate(ctx) {
    (ctx.record as Record<string, unknown>).reviewer = (ctx.previous as RecordData).reviewer;
  },
};

export const subscribers: CollectionHooks = {
  // One subscription per address, whatever its case.
  beforeCreate(ctx) {
    const record = ctx.record as Record<string, unknown>;
    if (typeof record.email === 'string') record.email = record.email.toLowerCase();
  },
};
