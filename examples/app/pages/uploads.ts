/** Scenario 4: `/upload` (a multipart form) and `/uploads/:id` (the upload, with its download link). */
import type { RecordData, RouteContext } from 'methodical-server';
import { formError, input } from '../fields.js';
import { day, hidden, onceKey, page, signInFirst } from '../layout.js';

export const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'];
export const UPLOAD_MAX = 5 * 1024 * 1024;

/** Where a stored file is downloaded from. */
export function fileUrl(collection: string, record: RecordData, field: string): string | undefined {
  const name = record[field];
  return typeof name === 'string'
    ? `/api/files/${collection}/${encodeURIComponent(record.id)}/${field}/${encodeURIComponent(name)}`
    : undefined;
}

export async function uploadForm(ctx: RouteContext) {
  const { html } = ctx;
  if (!ctx.auth) {
    return page(
      ctx,
      { title: 'Upload a file', current: '/upload' },
      signInFirst(ctx, 'upload files', '/upload'),
    );
  }
  const mine = await ctx.records.list('uploads', { sort: '-created', perPage: 10 });
  const list = mine.items.map(
    (u) =>
      html`<li><a href="/uploads/${u.id}">${u.title}</a> <span class="muted">${day(u.created)}</span></li>`,
  );
  return page(
    ctx,
    { title: 'Upload a file', current: '/upload' },
    html`<p>A PNG, JPEG, PDF or plain-text file of at most 5 MiB. It is streamed to disk, checked by its
content (not its name), and served back byte for byte.</p>
<form method="post" action="/upload" enctype="multipart/form-data" data-enhance>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', '/uploads/{id}')}
  ${formError(ctx)}
  ${input(ctx, 'title', 'Title', { required: true, attrs: { maxlength: 200 } })}
  ${input(ctx, 'file', 'File', {
    type: 'file',
    required: true,
    attrs: { accept: '.png,.jpg,.jpeg,.pdf,.txt,image/png,image/jpeg,application/pdf,text/plain' },
    hint: 'PNG, JPEG, PDF or text; at most 5 MiB.',
  })}
  <p><button type="submit">Upload</button></p>
</form>
${list.length > 0 ? html`<h2>Your uploads</h2><ul>${list}</ul>` : ''}`,
  );
}

export async function uploadPage(ctx: RouteContext) {
  const { html } = ctx;
  const upload = await ctx.records.get('uploads', ctx.params.id);
  if (!upload) return ctx.problem(404, 'There is no such upload.');
  const url = fileUrl('uploads', upload, 'file');
  const image = typeof upload.file === 'string' && /\.(png|jpe?g)$/i.test(upload.file);
  return page(
    ctx,
    { title: String(upload.title), current: '/upload' },
    html`<p class="muted">Uploaded ${day(upload.created)}.</p>
${image && url ? html`<p><img class="preview" src="${url}" alt="${upload.title}"></p>` : ''}
${url ? html`<p><a class="button" href="${url}" download>Download ${upload.file}</a></p>` : html`<p>No file.</p>`}
<p><a href="/upload">Upload another</a></p>`,
  );
}
