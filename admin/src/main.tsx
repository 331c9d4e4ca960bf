/** Entry point: the docs page at /_/docs, the admin page everywhere else. */
import { render } from 'preact';
import { App } from './app';
import { DocsPage } from './docs/docs-page';
import './admin.css';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(location.pathname.replace(/\/+$/, '').endsWith('/_/docs') ? <DocsPage /> : <App />, root);
}
