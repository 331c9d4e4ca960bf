// The example's pages work without JavaScript. With it, forms marked data-enhance are sent with
// fetch() instead — JSON bodies (multipart when a file is chosen), the form's Idempotency-Key and
// If-Match as headers — and problems are shown in place, next to the fields they name — and the
// shop's stock follows the server's live changes (GET /api/realtime, Server-Sent Events).

/** A fresh Idempotency-Key, once a key has been used for a request that succeeded. */
function freshKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(36).slice(2);
}

function rotateKey(form) {
  const keyField = form.elements.namedItem('_idempotency_key');
  if (keyField) keyField.value = freshKey();
}

function field(form, name) {
  const el = form.elements.namedItem(name);
  return el && 'value' in el ? el.value : undefined;
}

/** The record fields of a form as JSON: `_` fields steer the request and are left out. */
function jsonBody(form, method) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.name.startsWith('_') || el.disabled || el.type === 'file' || el.type === 'submit')
      continue;
    if (el.type === 'checkbox') {
      body[el.name] = el.checked;
      continue;
    }
    const value = el.value.trim();
    if (value === '') {
      // A POST leaves an empty field out (its default applies); a PUT sends what the record should be.
      if (method !== 'POST') body[el.name] = null;
      continue;
    }
    body[el.name] = el.type === 'number' || el.dataset.number !== undefined ? Number(value) : value;
  }
  return body;
}

/** Whether the form has a chosen file, which only multipart can carry. */
function hasFile(form) {
  return [...form.elements].some((el) => el.type === 'file' && el.files && el.files.length > 0);
}

function clearErrors(form) {
  const box = form.querySelector('.form-error');
  if (box) {
    box.hidden = true;
    box.textContent = '';
  }
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Show a problem (RFC 9457) in the form: its detail on top, each field's message by its field. */
function showProblem(form, status, problem) {
  const box = form.querySelector('.form-error');
  const detail = problem?.detail ?? `The server answered ${status}.`;
  if (box) {
    box.textContent = `${status}: ${detail} `;
    if (status === 412 || status === 409) {
      const link = document.createElement('a');
      link.href = location.pathname;
      link.textContent =
        status === 412 ? 'Someone else changed this meanwhile: reload the latest version' : 'Reload';
      box.append(link);
    } else if (status === 401) {
      const link = document.createElement('a');
      link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      link.textContent = 'Sign in';
      box.append(link);
    }
    box.hidden = false;
    box.tabIndex = -1;
    box.focus();
  }
  for (const e of problem?.errors ?? []) {
    const slot = form.querySelector(`.field-error[data-field="${CSS.escape(e.field)}"]`);
    if (slot) slot.textContent = e.message;
    const input = form.elements.namedItem(e.field);
    if (input && 'setAttribute' in input) input.setAttribute('aria-invalid', 'true');
  }
}

async function readJson(response) {
  const type = response.headers.get('content-type') || '';
  if (!type.includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Where to go after a success: the form's `_redirect`, with `{id}` the written record's id. */
function destination(form, record) {
  const redirect = field(form, '_redirect');
  if (!redirect) return undefined;
  return record?.id ? redirect.replace('{id}', encodeURIComponent(record.id)) : redirect;
}

async function send(form) {
  const method = (field(form, '_method') || form.method || 'POST').toUpperCase();
  const url = form.dataset.jsonApi || form.action;
  const headers = { Accept: 'application/json' };
  const key = field(form, '_idempotency_key');
  if (key) headers['Idempotency-Key'] = key;
  const etag = field(form, '_etag');
  if (etag) headers['If-Match'] = etag;
  let body;
  if (method === 'DELETE') {
    body = undefined;
  } else if (hasFile(form)) {
    body = new FormData(form);
    // A newly chosen file replaces the one kept by the form's hidden field.
    for (const el of form.elements) {
      if (el.type !== 'file' || el.files.length === 0) continue;
      body.delete(el.name);
      body.append(el.name, el.files[0]);
    }
  } else {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(jsonBody(form, method));
  }
  return fetch(url, { method, headers, body, credentials: 'same-origin' });
}

async function submit(form, event) {
  event.preventDefault();
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const button = form.querySelector('button[type="submit"], button:not([type])');
  clearErrors(form);
  if (button) button.disabled = true;
  try {
    let response = await send(form);
    let record = await readJson(response);
    // The key has had its answer: a corrected retry (another body) needs a key of its own.
    rotateKey(form);
    if (response.ok && form.hasAttribute('data-signs-in') && new URL(form.action).pathname === '/register') {
      // A JSON registration makes the account; signing in is a second request, as any client does it.
      response = await fetch('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ email: field(form, 'email'), password: field(form, 'password') }),
      });
      record = await readJson(response);
    }
    if (!response.ok) {
      showProblem(form, response.status, record);
      return;
    }
    if (form.hasAttribute('data-refresh-summary')) {
      await refreshSummary();
      form.reset();
      const status = form.querySelector('.form-status');
      if (status) status.textContent = 'Logged.';
      return;
    }
    location.assign(destination(form, record) || location.href);
  } catch (error) {
    showProblem(form, 0, { detail: `The request did not reach the server (${error.message}).` });
  } finally {
    if (button) button.disabled = false;
  }
}

/** The workout totals, fetched again from the API after a new workout. */
async function refreshSummary() {
  const table = document.querySelector('[data-summary] tbody');
  if (!table) return;
  const response = await fetch('/api/workouts/summary', { headers: { Accept: 'application/json' } });
  if (!response.ok) return;
  const { items } = await response.json();
  table.replaceChildren(
    ...items.map((row) => {
      const tr = document.createElement('tr');
      const cells = [
        row.type,
        row.count,
        row.duration,
        row.distance === null ? '' : `${Math.round(row.distance * 10) / 10} km`,
      ];
      cells.forEach((value, i) => {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        else cell.className = 'num';
        cell.textContent =
          i === 0 ? String(value).charAt(0).toUpperCase() + String(value).slice(1) : String(value);
        tr.append(cell);
      });
      return tr;
    }),
  );
}

/** The shop's cart: a running total, and checkout with fetch() as JSON {items}. */
function enhanceCart(form) {
  const total = form.querySelector('[data-total]');
  const lines = () =>
    [...form.querySelectorAll('tr[data-product]')]
      .map((row) => ({ row, quantity: Number(row.querySelector('input.qty')?.value || 0) }))
      .filter((l) => l.quantity > 0);
  const update = () => {
    const sum = lines().reduce((s, l) => s + l.quantity * Number(l.row.dataset.price), 0);
    total.textContent = `€${sum.toFixed(2)}`;
    total.parentElement.hidden = false;
  };
  form.addEventListener('input', update);
  update();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const items = lines().map((l) => ({ product: l.row.dataset.product, quantity: l.quantity }));
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const response = await fetch('/checkout', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': field(form, '_idempotency_key'),
        },
        body: JSON.stringify({ items }),
      });
      const body = await readJson(response);
      rotateKey(form);
      if (!response.ok) {
        showProblem(form, response.status, body);
        return;
      }
      location.assign(`/orders/${encodeURIComponent(body.id)}`);
    } finally {
      button.disabled = false;
    }
  });
}

/** A product row's price, stock and quantity limit, as the record now stands. */
function showProduct(row, record) {
  const stock = typeof record.stock === 'number' ? record.stock : 0;
  if (typeof record.updated === 'string') row.dataset.updated = record.updated;
  if (typeof record.price === 'number') {
    row.dataset.price = String(record.price);
    const price = row.querySelector('.price');
    if (price) price.textContent = `€${record.price.toFixed(2)}`;
  }
  const cell = row.querySelector('.stock');
  if (cell) {
    if (stock > 0) cell.textContent = String(stock);
    else {
      const out = document.createElement('span');
      out.className = 'out';
      out.textContent = 'sold out';
      cell.replaceChildren(out);
    }
  }
  const qty = row.querySelector('input.qty');
  if (qty) {
    qty.max = String(stock);
    qty.disabled = stock <= 0;
    if (stock <= 0) qty.value = '0';
  }
}

/**
 * The shop's stock, live: the browser's own EventSource on the products topic
 * of /api/realtime. It reconnects by itself, sending Last-Event-ID, and the
 * server replays what was missed; `reset` means too much was missed, so the
 * products are fetched again. Without JavaScript the page is as the server sent it.
 */
function liveProducts(table) {
  if (typeof EventSource !== 'function') return;
  const status = document.querySelector('[data-live-status]');
  const say = (text) => {
    if (status) status.textContent = text;
  };
  const rowOf = (id) => table.querySelector(`tr[data-product="${CSS.escape(id)}"]`);
  const source = new EventSource(`/api/realtime?topics=${encodeURIComponent(table.dataset.live)}`);
  const changed = (event) => {
    let change;
    try {
      change = JSON.parse(event.data);
    } catch {
      return;
    }
    const row = rowOf(change.id);
    if (event.type === 'delete') {
      if (row) {
        showProduct(row, { stock: 0 });
        say(`${row.querySelector('th')?.textContent ?? 'A product'} is no longer sold.`);
      }
      return;
    }
    if (!row) {
      if (event.type === 'create')
        say(`New in the shop: ${change.record?.name ?? 'a product'}. Reload to see it.`);
      return;
    }
    const before = row.querySelector('.stock')?.textContent;
    showProduct(row, change.record ?? {});
    const after = row.querySelector('.stock')?.textContent;
    if (before !== after)
      say(`${change.record.name}: ${after === 'sold out' ? 'sold out' : `${after} in stock`}.`);
    table.closest('form')?.dispatchEvent(new Event('input'));
  };
  for (const type of ['create', 'update', 'delete']) source.addEventListener(type, changed);
  /** Every product's figures afresh; `told` says so in the status line. */
  const refetch = async (told) => {
    const response = await fetch('/api/products?perPage=100', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const { items } = await response.json();
    for (const record of items) {
      const row = rowOf(record.id);
      // A live event may have brought a newer version while this read was under way.
      if (row && !(record.updated < (row.dataset.updated ?? ''))) showProduct(row, record);
    }
    if (told) say(told);
  };
  // The stream's state, for styles and tests: open, or connecting again after a drop.
  let opened = false;
  source.addEventListener('open', () => {
    // A change between this page's rendering and the stream's start is in neither: read once more.
    if (!opened) refetch('');
    opened = true;
    table.dataset.liveState = 'open';
  });
  source.addEventListener('error', () => {
    table.dataset.liveState = source.readyState === EventSource.CLOSED ? 'closed' : 'connecting';
  });
  // What was missed is no longer in the change log: read the products afresh.
  source.addEventListener('reset', () => refetch('Stock refreshed.'));
}

for (const form of document.querySelectorAll('form[data-enhance]')) {
  form.addEventListener('submit', (event) => submit(form, event));
}
for (const form of document.querySelectorAll('form[data-cart]')) enhanceCart(form);
for (const table of document.querySelectorAll('table[data-live]')) liveProducts(table);
document.documentElement.classList.add('js');
