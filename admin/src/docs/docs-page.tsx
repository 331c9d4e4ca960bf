/** /_/docs: the OpenAPI document as readable API docs (to be built). */
export function DocsPage() {
  return (
    <main id="main">
      <h1>API docs</h1>
    </main>
  );
}
