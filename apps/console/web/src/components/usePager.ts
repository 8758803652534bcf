import { useCallback, useState } from 'react';

/** The cursors of the pages seen so far: page 0 has none; `next` pushes the API's nextCursor. */
export function usePager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  const cursor = cursors[page] ?? null;
  const next = useCallback((nextCursor: string | null) => {
    if (nextCursor) setCursors((list) => [...list, nextCursor]);
  }, []);
  const previous = useCallback(() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)), []);
  const reset = useCallback(() => setCursors([null]), []);
  return { page, cursor, next, previous, reset };
}
