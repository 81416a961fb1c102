import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The Swagger UI files `/docs` serves, from the `swagger-ui-dist` package: no CDN, works offline. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const assetCache = new Map<string, Buffer>();

/** One of DOCS_ASSETS, or undefined for any other name (never a path from the request). */
export function docsAsset(name: string): { body: Buffer; contentType: string } | undefined {
  const contentType = DOCS_ASSETS[name];
  if (contentType === undefined) return undefined;
  let body = assetCache.get(name);
  if (!body) {
    const root = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    body = readFileSync(path.join(root, name));
    assetCache.set(name, body);
  }
  return { body, contentType };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The `/docs` page: Swagger UI over the served document. Paths are relative to the page. */
export function docsPageHtml(options: {
  title: string;
  specUrl: string;
  assetsPath: string;
}): string {
  const title = escapeHtml(options.title);
  const assets = escapeHtml(options.assetsPath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: ${JSON.stringify(options.specUrl)}, dom_id: '#swagger-ui', deepLinking: true });
</script>
</body>
</html>
`;
}
