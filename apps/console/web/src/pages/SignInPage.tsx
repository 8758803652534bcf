import { Alert, Box, Button, Container, Paper, PasswordInput, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { checkToken } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { PageTitle } from '../components/common.tsx';

/** Shown while the tab has no token. The token is checked with a cheap authenticated GET before it is kept. */
export function SignInPage() {
  const { signIn, notice } = useAuth();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === '') {
      setProblem('Enter the admin token.');
      return;
    }
    setChecking(true);
    setProblem(null);
    const result = await checkToken(candidate);
    setChecking(false);
    if (result.outcome === 'valid') signIn(candidate);
    else setProblem(result.outcome === 'refused' ? 'The token was refused. Check it and try again.' : result.message);
  };

  return (
    <Box component="main" id="main" py={64} px="md">
      <Container size={420} p={0}>
        <PageTitle>Sign in to Ensoras</PageTitle>
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(event) => void submit(event)} noValidate>
            <Stack>
              {notice && !problem && (
                <Alert color="orange" title="Signed out">
                  {notice}
                </Alert>
              )}
              {problem && (
                <Alert color="red" title="Not signed in">
                  {problem}
                </Alert>
              )}
              <Text size="sm">
                Use the admin token of this installation (<code>ADMIN_TOKEN</code>; <code>npm start</code> writes it to{' '}
                <code>.data/admin-token</code>). It is kept for this browser tab only.
              </Text>
              <PasswordInput
                label="Admin token"
                value={token}
                onChange={(event) => setToken(event.currentTarget.value)}
                autoComplete="current-password"
                required
              />
              <Button type="submit" loading={checking}>
                Sign in
              </Button>
            </Stack>
          </form>
        </Paper>
      </Container>
    </Box>
  );
}
