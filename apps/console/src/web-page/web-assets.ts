import { join, sep } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Vite names every file under assets/ by its content's hash: a name never changes content, so it is cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The files of the built page (assets/, favicon…); a path that is no file goes on to the page controller. */
export function useWebAssets(app: NestExpressApplication, webDir: string): void {
  const hashedAssets = join(webDir, 'assets') + sep;
  app.useStaticAssets(webDir, {
    index: false,
    redirect: false,
    setHeaders: (response, path) => {
      if (path.startsWith(hashedAssets)) response.setHeader('Cache-Control', IMMUTABLE);
    },
  });
}
