import { Anchor, AppShell, Burger, Button, Group, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useEffect, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useAuth } from '../auth.tsx';

const NAV_ID = 'project-navigation';

/**
 * The page frame: a header (the burger on narrow screens, sign-out), the project navigation when there is a project,
 * and the main content. Below the `sm` breakpoint the navigation collapses behind the burger.
 */
export function Shell({ navbar, projectId, children }: { navbar?: ReactNode; projectId?: string; children: ReactNode }) {
  const { signOut } = useAuth();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const narrow = useMediaQuery('(max-width: 47.99em)', false, { getInitialValueInEffect: false });

  // Following a link closes the navigation on a phone.
  useEffect(() => close(), [location.pathname, close]);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={navbar ? { width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } } : undefined}
      padding="md"
    >
      <AppShell.Header>
        <a href="#main" className="skip-link">
          Skip to main content
        </a>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            {navbar && (
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label="Open navigation"
                aria-expanded={opened}
                aria-controls={NAV_ID}
              />
            )}
            <Anchor component={Link} to="/" c="var(--mantine-color-text)" underline="never" fw={700}>
              Ensoras<VisuallyHidden> console home</VisuallyHidden>
            </Anchor>
            {projectId && (
              <Text size="sm" truncate="end" miw={0}>
                <VisuallyHidden>Project: </VisuallyHidden>
                {projectId}
              </Text>
            )}
          </Group>
          <Button variant="default" size="sm" onClick={() => signOut()}>
            Sign out
          </Button>
        </Group>
      </AppShell.Header>
      {navbar && (
        <AppShell.Navbar
          id={NAV_ID}
          aria-label="Project navigation"
          p="md"
          // Off-screen on a phone while collapsed: out of the tab order and the accessibility tree too.
          style={narrow && !opened ? { visibility: 'hidden' } : undefined}
        >
          {navbar}
        </AppShell.Navbar>
      )}
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
