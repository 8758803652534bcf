import { Alert } from '@mantine/core';
import { useEffect } from 'react';
import { Outlet, useParams } from 'react-router';
import { PageTitle } from '../components/common.tsx';
import { isProjectId, PROJECT_ID_HINT, rememberProject } from '../projects.ts';
import { ProjectNav } from './ProjectNav.tsx';
import { Shell } from './Shell.tsx';

/** Every page of one project: the sidebar with the picker and the project's pages. */
export function ProjectLayout() {
  const { projectId = '' } = useParams();
  const valid = isProjectId(projectId);

  useEffect(() => {
    if (valid) rememberProject(projectId);
  }, [projectId, valid]);

  return (
    <Shell navbar={valid ? <ProjectNav projectId={projectId} /> : undefined} projectId={valid ? projectId : undefined}>
      {valid ? (
        <Outlet />
      ) : (
        <>
          <PageTitle>Unknown project</PageTitle>
          <Alert color="red">
            “{projectId}” is not a project id. {PROJECT_ID_HINT}
          </Alert>
        </>
      )}
    </Shell>
  );
}

/** The project id of the current route; ProjectLayout has checked it. */
export function useProjectId(): string {
  return useParams().projectId ?? '';
}
