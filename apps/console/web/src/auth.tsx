import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { forgetToken, onUnauthorized, storedToken, storeToken } from './api.ts';

interface Auth {
  token: string | null;
  /** Why the tab was signed out (a refused token), shown on the sign-in page. */
  notice: string | null;
  signIn(token: string): void;
  signOut(notice?: string): void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    (message?: string) => {
      forgetToken();
      setToken(null);
      setNotice(message ?? null);
      // Nothing read with the token stays on the page.
      queryClient.clear();
    },
    [queryClient],
  );

  const signIn = useCallback((next: string) => {
    storeToken(next);
    setNotice(null);
    setToken(next);
  }, []);

  useEffect(() => {
    onUnauthorized((message) => signOut(message));
    return () => onUnauthorized(null);
  }, [signOut]);

  const value = useMemo(() => ({ token, notice, signIn, signOut }), [token, notice, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
