import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { RequestError } from './request-error';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every built asset by its content hash: it may be cached forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface DashboardFile {
  stream: ReadStream;
  size: number;
  contentType: string;
  headers: Record<string, string>;
}

export interface DashboardOptions {
  /** The built app (dist/apps/dashboard). */
  root: string;
  /** CSP frame-ancestors for the customer portal's pages (the operator pages are never framed). */
  portalFrameAncestors: string;
}

/**
 * Maps `/ui/...` request paths to the built dashboard's files, safely: the path is decoded once,
 * normalised, and must stay inside the root (no `..`, no NUL, no dotfiles); anything else is 400
 * or 404. A path without a file extension that names no file is the app's own route: index.html.
 */
export class DashboardFiles {
  private readonly root: string;

  constructor(private readonly options: DashboardOptions) {
    this.root = path.resolve(options.root);
  }

  async resolve(url: string): Promise<DashboardFile> {
    const relative = this.relativePath(url);
    const file = relative === '' ? undefined : await this.existing(relative);
    if (file) return this.open(relative, file.size, false);
    if (path.posix.extname(relative) !== '') throw new RequestError(404, 'route not found');
    const index = await this.existing('index.html');
    if (!index) {
      throw new RequestError(
        404,
        'the dashboard is not built here: run `npx nx run dashboard:build` (or set FLOTILLA_UI_DIR)',
      );
    }
    return this.open('index.html', index.size, relative.startsWith('portal'));
  }

  /** The path below /ui/, decoded and checked; '' for the app's root. */
  private relativePath(url: string): string {
    const pathname = url.split('?')[0]!.replace(/^\/ui\/?/, '');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      throw new RequestError(400, 'malformed path', 'path');
    }
    const segments = decoded.split('/').filter((segment) => segment !== '');
    if (
      decoded.includes('\0') ||
      decoded.includes('\\') ||
      segments.some((segment) => segment.startsWith('.'))
    ) {
      throw new RequestError(400, 'invalid path', 'path');
    }
    const normalised = path.posix.normalize(segments.join('/'));
    const absolute = path.resolve(this.root, normalised === '.' ? '' : normalised);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new RequestError(400, 'invalid path', 'path');
    }
    return normalised === '.' ? '' : normalised;
  }

  private async existing(relative: string): Promise<{ size: number } | undefined> {
    try {
      const info = await stat(path.join(this.root, relative));
      return info.isFile() ? { size: info.size } : undefined;
    } catch {
      return undefined;
    }
  }

  private open(relative: string, size: number, portalPage: boolean): DashboardFile {
    const extension = path.posix.extname(relative);
    const headers: Record<string, string> = {
      'cache-control': relative.startsWith('assets/') ? IMMUTABLE : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (extension === '.html') {
      // The app's own files only; portal pages may be framed by the operator's site.
      headers['content-security-policy'] = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        `frame-ancestors ${portalPage ? this.options.portalFrameAncestors : "'none'"}`,
      ].join('; ');
      if (!portalPage) headers['x-frame-options'] = 'DENY';
    }
    return {
      stream: createReadStream(path.join(this.root, relative)),
      size,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      headers,
    };
  }
}
