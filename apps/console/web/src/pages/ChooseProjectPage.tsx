import { Anchor, List, Paper, Stack, Text, Title } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { PageTitle } from '../components/common.tsx';
import { ProjectPicker } from '../components/ProjectPicker.tsx';
import { projectPath, recentProjects } from '../projects.ts';

export function ChooseProjectPage() {
  const navigate = useNavigate();
  const recent = recentProjects();
  return (
    <Stack maw={640}>
      <PageTitle>Choose a project</PageTitle>
      <Text>Projects exist on first use: open one by its id to configure its email channel and read its inbox.</Text>
      <Paper withBorder p="md">
        <ProjectPicker buttonLabel="Open project" onOpen={(projectId) => void navigate(projectPath(projectId))} />
      </Paper>
      {recent.length > 0 && (
        <section>
          <Title order={2} size="h4" mb="xs">
            Recent projects
          </Title>
          <List>
            {recent.map((projectId) => (
              <List.Item key={projectId}>
                <Anchor component={Link} to={projectPath(projectId)}>
                  {projectId}
                </Anchor>
              </List.Item>
            ))}
          </List>
        </section>
      )}
    </Stack>
  );
}
