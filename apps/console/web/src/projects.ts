/** The project ids the API accepts (PROJECT_ID_PATTERN of @ensoras/contracts), and the recent ones of this browser. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const PROJECT_ID_HINT = 'A project id is 1 to 64 letters, digits, "-" or "_".';

const RECENT_KEY = 'ensoras.console.recentProjects';
const MAX_RECENT = 8;

export function isProjectId(value: string): boolean {
  return PROJECT_ID_PATTERN.test(value);
}

/** Most recent first; the first is the project `/` opens. */
export function recentProjects(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string' && isProjectId(id)).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function rememberProject(projectId: string): void {
  if (!isProjectId(projectId)) return;
  const next = [projectId, ...recentProjects().filter((id) => id !== projectId)].slice(0, MAX_RECENT);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // Storage may be full or disabled; the list is a convenience.
  }
}

/** The pages of a project, by path segment after `/p/<id>/`. */
export const projectPath = (projectId: string, page = 'channels/email') => `/p/${encodeURIComponent(projectId)}/${page}`;
