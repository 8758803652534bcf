import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api.ts';
import { AuthProvider, useAuth } from './auth.tsx';
import { ProjectLayout } from './layout/ProjectLayout.tsx';
import { Shell } from './layout/Shell.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { ChooseProjectPage } from './pages/ChooseProjectPage.tsx';
import { ConfigurationPage } from './pages/ConfigurationPage.tsx';
import { EmailChannelPage } from './pages/email/EmailChannelPage.tsx';
import { InboxPage } from './pages/InboxPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { QuarantinePage } from './pages/QuarantinePage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { TicketPage } from './pages/ticket/TicketPage.tsx';
import { UnattachedPage } from './pages/UnattachedPage.tsx';
import { projectPath, recentProjects } from './projects.ts';
import { cssVariablesResolver, theme } from './theme.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a network error or 5xx may.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status < 500),
      staleTime: 2_000,
    },
  },
});

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light" forceColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <Pages />
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}

function Pages() {
  const { token } = useAuth();
  // Without a token every address shows the sign-in; once signed in, the same address shows its page.
  if (!token) return <SignInPage />;
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/p/:projectId" element={<ProjectLayout />}>
        <Route index element={<Navigate to="channels/email" replace />} />
        <Route path="configuration" element={<ConfigurationPage />} />
        <Route path="channels" element={<Navigate to="email" replace />} />
        <Route path="channels/email" element={<EmailChannelPage />} />
        <Route path="inbox" element={<InboxPage />} />
        <Route path="inbox/:ticketId" element={<TicketPage />} />
        <Route path="unattached" element={<UnattachedPage />} />
        <Route path="quarantine" element={<QuarantinePage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route
        path="*"
        element={
          <Shell>
            <NotFoundPage />
          </Shell>
        }
      />
    </Routes>
  );
}

/** `/`: the last project's Email page, or the project picker. */
function Home() {
  const [last] = recentProjects();
  if (last) return <Navigate to={projectPath(last)} replace />;
  return (
    <Shell>
      <ChooseProjectPage />
    </Shell>
  );
}
