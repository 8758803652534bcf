import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@ensoras/testing';
import axe from 'axe-core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's chromium: Playwright's own browser download is not reachable here, and CI installs this one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/console/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the console tests drive Debian's chromium through playwright-core. ` +
        'Install it with `apt-get install chromium` (or set CHROMIUM_PATH to a Chromium binary).',
    );
  }
  // We run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Runs axe-core in the page as it is now; returns every violation (rule, impact, help, elements and why). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  await restPointer(page);
  // Evaluated over the DevTools protocol, so a Content-Security-Policy of the console does not stop it.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const { axe: inPage } = globalThis as unknown as { axe: typeof axe };
    const results = await inPage.run({ resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.map(String).join(' '), summary: node.failureSummary ?? '' })),
    }));
  });
}

/**
 * The serious and critical axe-core violations of the page as a readable report, '' when there are none: for
 * `expect.soft(report).toBe('')`, so one page's finding does not hide what the rest of the scenario would show.
 */
export async function seriousAxeViolations(page: Page, label: string): Promise<string> {
  const serious = (await axeViolations(page)).filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
  if (serious.length === 0) return '';
  const details = serious.map(
    (finding) =>
      `- ${finding.id} (${finding.impact}): ${finding.help}\n` +
      finding.nodes.map((node) => `    ${node.target}\n      ${node.summary.replace(/\n/g, '\n      ')}`).join('\n'),
  );
  return `axe-core: ${serious.length} serious or critical violation(s) on ${label} (${new URL(page.url()).pathname}):\n${details.join('\n')}`;
}

/**
 * Moves the pointer to the bottom right corner (the main area, clear of the navigation), so the page is checked and
 * shown at rest, not with the link or button clicked last in its hover state.
 */
async function restPointer(page: Page): Promise<void> {
  const viewport = page.viewportSize();
  if (viewport) await page.mouse.move(viewport.width - 1, viewport.height - 1);
}

/** How wide the document is against the viewport: a phone layout must not scroll sideways. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => {
    const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    return { scrollWidth: view.document.documentElement.scrollWidth, innerWidth: view.innerWidth };
  });
}

/** With CONSOLE_SCREENSHOTS=1, writes the top of the page (the viewport) to docs/console/<name>.png; otherwise (CI) writes nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await restPointer(page);
  // From the top of the page: its title, what it is about.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** Chooses an option of a Mantine Select (a combobox whose options open in a portal) by its visible label. */
export async function choose(page: Page, combobox: Locator, option: string): Promise<void> {
  await combobox.click();
  await page.getByRole('option', { name: option, exact: true }).click();
  // The input shows the chosen label once Mantine took the choice.
  await eventually(async () => (await combobox.inputValue()) === option, { message: `${option} was not chosen` });
}

/**
 * A switch by its label. Mantine's Switch wraps label and description in one <label>, so its accessible name is the
 * label followed by the description: matched from the start, up to the end or a space.
 */
export function switchNamed(scope: Page | Locator, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return scope.getByRole('switch', { name: new RegExp(`^${escaped}(?:\\s|$)`) });
}
