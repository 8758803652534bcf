import { Divider, NavLink, Stack, Text } from '@mantine/core';
import { Link, useLocation, useNavigate } from 'react-router';
import { ProjectPicker } from '../components/ProjectPicker.tsx';
import { projectPath } from '../projects.ts';

const PAGES = [
  { page: 'configuration', label: 'Configuration' },
  { page: 'inbox', label: 'Inbox' },
  { page: 'unattached', label: 'Unattached mail' },
  { page: 'quarantine', label: 'Quarantine' },
  { page: 'audit', label: 'Audit log' },
] as const;

/** The page of `pathname` within a project (`inbox` for a ticket too), to open the same page of another project. */
function currentPage(pathname: string): string {
  const rest = pathname.split('/').slice(3);
  if (rest[0] === 'channels') return 'channels/email';
  return rest[0] && PAGES.some(({ page }) => page === rest[0]) ? rest[0] : 'channels/email';
}

export function ProjectNav({ projectId }: { projectId: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const isActive = (page: string) => location.pathname === projectPath(projectId, page) || location.pathname.startsWith(`${projectPath(projectId, page)}/`);

  const link = (page: string, label: string, indent = false) => (
    <NavLink
      key={page}
      component={Link}
      to={projectPath(projectId, page)}
      label={label}
      active={isActive(page)}
      aria-current={isActive(page) ? 'page' : undefined}
      pl={indent ? 'xl' : undefined}
    />
  );

  return (
    <Stack gap="md">
      <ProjectPicker
        key={projectId}
        compact
        initial={projectId}
        buttonLabel="Open"
        onOpen={(id) => void navigate(projectPath(id, currentPage(location.pathname)))}
      />
      <Divider />
      <Stack gap={2}>
        {link('configuration', 'Configuration')}
        <div role="group" aria-labelledby="nav-channels">
          <Text id="nav-channels" size="xs" fw={700} tt="uppercase" px="sm" pt="xs" pb={4}>
            Channels
          </Text>
          {link('channels/email', 'Email', true)}
        </div>
        {PAGES.slice(1).map(({ page, label }) => link(page, label))}
      </Stack>
    </Stack>
  );
}
