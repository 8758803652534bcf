import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';

export const WEB_DIR = Symbol('WEB_DIR');

/**
 * Every other GET is the page: a client-side route (`/p/acme/inbox/123`), reloaded or bookmarked, gets index.html
 * and the page routes it once loaded. Files are served before this (web-assets.ts); a missing one under /assets/
 * is a 404, not the page, so a stale script reference fails loudly instead of parsing HTML as JavaScript.
 */
@Controller()
export class WebPageController {
  constructor(@Inject(WEB_DIR) private readonly webDir: string) {}

  @Get('{*path}')
  async page(@Req() request: { path: string }, @Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    // Headers set here, not by @Header: those would also go out with the 404's JSON.
    if (request.path.startsWith('/assets/')) throw new NotFoundException(`No asset at ${request.path}`);
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    // Revalidated each time, so a new build's index.html (naming new hashed assets) is picked up at once.
    response.setHeader('Cache-Control', 'no-cache');
    // Read per request: small, in the page cache after the first, and a rebuilt page needs no restart.
    return readFile(join(this.webDir, 'index.html'), 'utf8');
  }
}
