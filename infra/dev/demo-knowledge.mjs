// The demo knowledge base of `npm start`: the help articles of the fictional shop Lumen & Co.
// (apps/ai-responder/eval/demo-knowledge.json, also what the evaluation answers from), imported into the project
// `demo` (the project of `npm run demo`'s mailbox) on every start. The import replaces articles with the same id,
// so starting again changes nothing; a failure is a warning, never the end of the launcher.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PROJECT = 'demo';
const IMPORT_TIMEOUT_MS = 30_000;

export async function importDemoKnowledge({ root, adminToken, aiResponderUrl }) {
  const file = join(root, 'apps', 'ai-responder', 'eval', 'demo-knowledge.json');
  try {
    const { articles } = JSON.parse(readFileSync(file, 'utf8'));
    const response = await fetch(`${aiResponderUrl}/v1/projects/${PROJECT}/knowledge/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ articles }),
      signal: AbortSignal.timeout(IMPORT_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`the import answered ${response.status}: ${text.slice(0, 300)}`);
    // The answer: { created, replaced, articles }.
    const { created, replaced } = JSON.parse(text);
    const stored = Number.isInteger(created) && Number.isInteger(replaced) ? created + replaced : articles.length;
    console.log(`demo knowledge base: ${stored} articles in project ${PROJECT}`);
  } catch (error) {
    // fetch says only "fetch failed"; its cause says why (ECONNREFUSED, …).
    const reason = error instanceof Error ? [error.message, error.cause?.message].filter(Boolean).join(': ') : String(error);
    console.log(`Warning: the demo knowledge base was not imported into project ${PROJECT} (${reason.split('\n')[0]}); the services run on without it.`);
  }
}
